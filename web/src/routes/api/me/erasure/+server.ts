import { ErasureRequest } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/me/erasure`: the signed-in person's erasure reports. */
export const GET: RequestHandler = api(async ({ locals }) =>
  locals.services.privacy.erasureReports(locals.user),
);

/** `POST /api/me/erasure` `{ confirm: true }`: erases the person outside legal holds; audited. */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireUser(locals);
  await readJson(request, ErasureRequest);
  return locals.services.privacy.erase(user);
});
