import { Invitation, InviteRequest, JSON_BODY_LIMITS } from '@preau/protocol';
import { z } from 'zod';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** Pending invitations into a space, for those who may invite there. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.invitations.pendingInto(requireUser(locals), params.spaceId),
);

/** Invites people; each is notified at once. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const user = requireUser(locals);
  const { personIds } = await readJson(request, InviteRequest, JSON_BODY_LIMITS.default);
  return locals.services.invitations.invite(user, params.spaceId, personIds);
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les invitations en attente dans un espace',
      en: 'Pending invitations into a space',
    },
    tag: 'membership',
    access: 'spaceInviters',
    response: z.array(Invitation),
    errors: ['forbidden', 'not_found'],
  },
  POST: {
    summary: {
      fr: 'Invite des personnes (chacune prévenue aussitôt) ; les refus de bornes sont nommés dans les issues',
      en: 'Invites people (each is notified at once); bounds refused with their name in issues',
    },
    tag: 'membership',
    access: 'spaceInviters',
    body: InviteRequest,
    response: z.array(Invitation),
    errors: ['not_found', 'conflict'],
  },
});
