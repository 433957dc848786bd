import { PreauError, parseSpaceId } from '@preau/protocol';
import { getSession } from '@preau/storage';
import { attendanceOf, classAccess } from '#lib/classroom/live.server';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Who attended a session, from when to when: for the teachers of its class. */
export const GET: RequestHandler = api(async ({ locals, params }) => {
  const user = requireUser(locals);
  const db = locals.services.database.db;
  const session = await getSession(db, params.sessionId);
  const owner = session ? parseSpaceId(session.space) : null;
  if (!session || owner?.kind !== 'class') throw new PreauError('not_found', 'no such session');
  const access = await classAccess(db, user, owner.ownerId);
  if (!access.moderator) throw new PreauError('forbidden', 'teachers only');
  return attendanceOf(db, session.id);
});
