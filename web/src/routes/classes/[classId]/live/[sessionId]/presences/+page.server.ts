import { redirect } from '@sveltejs/kit';
import { attendanceForTeacher } from '#lib/classroom/attendance.server';
import { pageError } from '#lib/classroom/pages.server';
import type { PageServerLoad } from './$types';

/** Who attended a session and who did not, for how long, from when to when: for the class's teachers. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    const found = await attendanceForTeacher(
      locals.services,
      locals.user,
      params.classId,
      params.sessionId,
    );
    return { classId: params.classId, ...found };
  } catch (err) {
    pageError(err);
  }
};
