import { PlaceHold } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `POST /api/archive/cases/:id/holds`: places a legal hold; audited. */
export const POST: RequestHandler = api(async ({ locals, request, params }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, PlaceHold);
  return locals.services.archive.placeHold(user, params.id, body);
});
