import { OpenCase } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/cases`: every case; archivists only. */
export const GET: RequestHandler = api(async ({ locals }) =>
  locals.services.archive.listCases(requireRole(locals, 'archivist')),
);

/** `POST /api/archive/cases`: opens a case; audited. */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, OpenCase);
  return locals.services.archive.openCase(user, body);
});
