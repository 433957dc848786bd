import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Members of a space with name, role and school. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.spaces.members(requireUser(locals), params.spaceId),
);
