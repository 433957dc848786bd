import { AddClassRequest } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Classes brought into a project or teaching group. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.spaces.classes(requireUser(locals), params.spaceId),
);

/** Brings a whole class the teacher teaches. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const user = requireUser(locals);
  const { classId } = await readJson(request, AddClassRequest);
  await locals.services.spaces.addClass(user, params.spaceId, classId);
  return locals.services.spaces.classes(user, params.spaceId);
});
