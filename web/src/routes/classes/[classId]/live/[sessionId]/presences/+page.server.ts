import { PreauError } from '@preau/protocol';
import { redirect } from '@sveltejs/kit';
import { attendanceOf, classAccess, sessionOfClass, toSummary } from '#lib/classroom/live.server';
import { pageError } from '#lib/classroom/pages.server';
import type { PageServerLoad } from './$types';

/** Who attended a session, from when to when: for the class's teachers. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  const db = locals.services.database.db;
  try {
    const access = await classAccess(db, locals.user, params.classId);
    if (!access.moderator) throw new PreauError('forbidden', 'teachers only');
    const session = await sessionOfClass(db, params.classId, params.sessionId);
    return {
      classId: params.classId,
      session: toSummary(session),
      rows: await attendanceOf(db, session.id),
    };
  } catch (err) {
    pageError(err);
  }
};
