import type { MySpace } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/spaces/{id}`: one space as the person sees it (404 for a group or project they may not see). */
export const GET: RequestHandler = api(
  async ({ locals, params }): Promise<MySpace> =>
    locals.services.spaces.get(requireUser(locals), params.spaceId),
);
