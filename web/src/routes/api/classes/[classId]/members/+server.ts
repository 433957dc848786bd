import { classSpaceId, type SpaceMember } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** A class's roster: for its members, its school's staff and directory admins. */
export const GET: RequestHandler = api(async ({ locals, params }): Promise<SpaceMember[]> => {
  const members = await locals.services.spaces.members(
    requireUser(locals),
    classSpaceId(params.classId),
  );
  return members.flatMap(({ personId, displayName, role }) =>
    role === 'teacher' || role === 'student' ? [{ personId, displayName, role }] : [],
  );
});
