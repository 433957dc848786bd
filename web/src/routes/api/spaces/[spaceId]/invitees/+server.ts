import { Invitee, InviteeQuery, parseOrThrow } from '@preau/protocol';
import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** People one may invite into this space, matching a name, with their school and why. */
export const GET: RequestHandler = api(async ({ locals, params, url }) => {
  const user = requireUser(locals);
  const { q } = parseOrThrow(InviteeQuery, { q: url.searchParams.get('q') ?? '' });
  return locals.services.invitations.invitees(user, params.spaceId, q);
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les personnes qu’on peut inviter, selon un nom : établissement et raison (classe, établissement, projet)',
      en: 'People one may invite, matching a name: school and why (class, school, project)',
    },
    tag: 'membership',
    access: 'spaceInviters',
    query: InviteeQuery,
    response: z.array(Invitee),
    errors: ['forbidden', 'not_found'],
  },
});
