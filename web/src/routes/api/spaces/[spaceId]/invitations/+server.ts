import { InviteRequest, JSON_BODY_LIMITS } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Pending invitations into a space, for those who may invite there. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.spaces.pendingInto(requireUser(locals), params.spaceId),
);

/** Invites people; each is notified at once. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const { personIds } = await readJson(request, InviteRequest, JSON_BODY_LIMITS.default);
  return locals.services.spaces.invite(requireUser(locals), params.spaceId, personIds);
});
