import { SpaceStateRequest } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Archives, suspends or reactivates a space. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const { state, reason } = await readJson(request, SpaceStateRequest);
  return locals.services.spaces.setState(requireUser(locals), params.spaceId, state, reason);
});
