import { OpenCase } from '@preau/protocol';
import { auditor, deskOf } from '#lib/archive/server';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/cases`: every case; archivists only. */
export const GET: RequestHandler = api(async ({ locals }) => {
  requireRole(locals, 'archivist');
  return deskOf(locals).listCases();
});

/** `POST /api/archive/cases`: opens a case; audited. */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, OpenCase);
  return deskOf(locals).openCase(auditor(user, 'archivist'), body);
});
