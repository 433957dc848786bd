import { HoldView, LiftHold } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `POST /api/archive/cases/:id/holds/:holdId/lift` `{ reason }`: lifts a hold; audited. */
export const POST: RequestHandler = api(async ({ locals, request, params }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, LiftHold);
  return locals.services.archive.liftHold(user, params.id, params.holdId, body.reason);
});

export const _api = describeRoute({
  POST: {
    summary: { fr: 'Lève un gel, avec sa raison', en: 'Lifts a hold, with its reason' },
    tag: 'archive',
    access: 'archivistsAudited',
    params: { id: { fr: 'l’identifiant de l’affaire', en: 'the case’s id' } },
    body: LiftHold,
    response: HoldView,
    errors: ['not_found', 'conflict'],
  },
});
