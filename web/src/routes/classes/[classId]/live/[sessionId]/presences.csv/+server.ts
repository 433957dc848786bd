import { attendanceCsv, attendanceForTeacher } from '#lib/classroom/attendance.server';
import { pageError } from '#lib/classroom/pages.server';
import type { RequestHandler } from './$types';

/** The session's attendance as a CSV download, for the class's teachers. */
export const GET: RequestHandler = async ({ locals, params }) => {
  try {
    if (!locals.user) return new Response(null, { status: 401 });
    const { session, sheet } = await attendanceForTeacher(
      locals.services,
      locals.user,
      params.classId,
      params.sessionId,
    );
    const day = (session.startedAt ?? session.createdAt).slice(0, 10);
    return new Response(attendanceCsv(sheet, locals.locale), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="presences-${day}-${session.sessionId}.csv"`,
        'cache-control': 'private, no-store',
      },
    });
  } catch (err) {
    pageError(err);
  }
};
