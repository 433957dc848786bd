import { LiftHold } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `POST /api/archive/cases/:id/holds/:holdId/lift` `{ reason }`: lifts a hold; audited. */
export const POST: RequestHandler = api(async ({ locals, request, params }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, LiftHold);
  return locals.services.archive.liftHold(user, params.id, params.holdId, body.reason);
});
