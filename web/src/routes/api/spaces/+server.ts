import { CreateSpaceRequest, type MySpace } from '@preau/protocol';
import { api, ok, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/spaces`: the signed-in person's spaces (classes, teaching groups, projects, work groups). */
export const GET: RequestHandler = api(
  async ({ locals }): Promise<MySpace[]> => locals.services.spaces.mine(requireUser(locals)),
);

/** `POST /api/spaces`: creates a work group, a project or a teaching group (201). */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireUser(locals);
  const input = await readJson(request, CreateSpaceRequest);
  return ok(await locals.services.spaces.create(user, input), 201);
});
