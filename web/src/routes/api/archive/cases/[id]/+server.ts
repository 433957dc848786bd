import { deskOf } from '#lib/archive/server';
import { api, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/cases/:id`: the case with its holds and exports; archivists only. */
export const GET: RequestHandler = api(async ({ locals, params }) => {
  requireRole(locals, 'archivist');
  return deskOf(locals).caseFile(params.id);
});
