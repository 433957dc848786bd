import { AnswerInvitationRequest, MySpace } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** Accepts (the space, as one now sees it) or declines (null) an invitation. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const user = requireUser(locals);
  const { accept } = await readJson(request, AnswerInvitationRequest);
  return locals.services.invitations.answer(user, params.invitationId, accept);
});

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Accepte (l’espace tel qu’on le voit désormais) ou décline (null) une invitation',
      en: 'Accepts (the space as one now sees it) or declines (null) an invitation',
    },
    tag: 'membership',
    access: { fr: 'La personne invitée (404 sinon).', en: 'The invited person (404 otherwise).' },
    body: AnswerInvitationRequest,
    response: MySpace.nullable(),
    errors: ['not_found', 'conflict'],
  },
});
