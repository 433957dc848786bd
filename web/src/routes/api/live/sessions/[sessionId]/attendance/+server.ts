import { PreauError, parseSpaceId } from '@preau/protocol';
import { getSession } from '@preau/storage';
import { attendanceForTeacher } from '#lib/classroom/attendance.server';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * A session's attendance for the teachers of its class: every member, present
 * or absent, with their stays (arrival, departure, why) and time present.
 */
export const GET: RequestHandler = api(async ({ locals, params }) => {
  const user = requireUser(locals);
  const db = locals.services.database.db;
  const session = await getSession(db, params.sessionId);
  const owner = session ? parseSpaceId(session.space) : null;
  if (!session || owner?.kind !== 'class') throw new PreauError('not_found', 'no such session');
  const { sheet } = await attendanceForTeacher(locals.services, user, owner.ownerId, session.id);
  return sheet;
});
