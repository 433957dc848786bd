import { Invitation } from '@preau/protocol';
import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** The signed-in person's pending invitations. */
export const GET: RequestHandler = api(async ({ locals }) =>
  locals.services.invitations.invitations(requireUser(locals)),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les invitations en attente de la personne connectée',
      en: 'The signed-in person’s pending invitations',
    },
    tag: 'membership',
    access: 'signedIn',
    response: z.array(Invitation),
  },
});
