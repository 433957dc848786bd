import { PreauError } from '@preau/protocol';
import { auditor, deskOf } from '#lib/archive/server';
import { api, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/records/:space/:seq`: one record in full; archivists only; audited. */
export const GET: RequestHandler = api(async ({ locals, params }) => {
  const user = requireRole(locals, 'archivist');
  const seq = Number(params.seq);
  if (!Number.isSafeInteger(seq) || seq < 1) throw new PreauError('not_found', 'no such record');
  return deskOf(locals).read(auditor(user, 'archivist'), params.space, seq);
});
