import { CaseView, CloseCase, HoldView } from '@preau/protocol';
import { z } from 'zod';
import { api, readJson, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Clôt l’affaire et lève ses gels en cours',
      en: 'Closes the case and lifts its active holds',
    },
    tag: 'archive',
    access: 'archivistsAudited',
    params: { id: { fr: 'l’identifiant de l’affaire', en: 'the case’s id' } },
    body: CloseCase,
    response: z.object({ case: CaseView, holdsLifted: z.array(HoldView) }),
    errors: ['not_found', 'conflict'],
  },
});
