import { CloseCase } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * `POST /api/archive/cases/:id/close` `{ outcome, closedOn }`: closes the
 * case and lifts its active holds; archivists only; audited.
 */
export const POST: RequestHandler = api(async ({ locals, request, params }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, CloseCase);
  return locals.services.archive.closeCase(user, params.id, body);
});
