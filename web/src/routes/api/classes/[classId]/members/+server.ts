import { classSpaceId, PreauError, type SpaceMember } from '@preau/protocol';
import { classById, membersOfSpace } from '@preau/storage';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** A class's roster: for its members, its school's staff and directory admins. */
export const GET: RequestHandler = api(async ({ locals, params }): Promise<SpaceMember[]> => {
  const user = requireUser(locals);
  const db = locals.services.database.db;
  const klass = await classById(db, params.classId);
  if (!klass) throw new PreauError('not_found', 'unknown class');
  const space = classSpaceId(klass.id);
  const member = (await locals.services.access.rights(user, space)).length > 0;
  const staff = user.profiles.some((p) => p.uai === klass.uai && p.kind === 'staff');
  if (!member && !staff && !user.roles.includes('admin'))
    throw new PreauError('forbidden', 'not a member of this class');
  return membersOfSpace(db, space);
});
