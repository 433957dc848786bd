import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** Withdraws a pending invitation (who invited, or a manager). */
export const DELETE: RequestHandler = api(async ({ locals, params }) => {
  await locals.services.invitations.withdraw(
    requireUser(locals),
    params.spaceId,
    params.invitationId,
  );
  return { invitationId: params.invitationId };
});

export const _api = describeRoute({
  DELETE: {
    summary: { fr: 'Retire une invitation en attente', en: 'Withdraws a pending invitation' },
    tag: 'membership',
    access: {
      fr: 'Qui a invité, ou qui gère l’espace.',
      en: 'Who invited, or a manager of the space.',
    },
    response: z.object({ invitationId: z.string() }),
    errors: ['not_found'],
  },
});
