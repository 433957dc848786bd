import { LiftHold } from '@preau/protocol';
import { auditor, deskOf } from '#lib/archive/server';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `POST /api/archive/cases/:id/holds/:holdId/lift` `{ reason }`: lifts a hold; audited. */
export const POST: RequestHandler = api(async ({ locals, request, params }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, LiftHold);
  return deskOf(locals).liftHold(auditor(user, 'archivist'), params.id, params.holdId, body.reason);
});
