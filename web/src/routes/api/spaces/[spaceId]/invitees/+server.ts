import { InviteeQuery, parseOrThrow } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** People one may invite into this space, matching a name, with their school and why. */
export const GET: RequestHandler = api(async ({ locals, params, url }) => {
  const { q } = parseOrThrow(InviteeQuery, { q: url.searchParams.get('q') ?? '' });
  return locals.services.spaces.invitees(requireUser(locals), params.spaceId, q);
});
