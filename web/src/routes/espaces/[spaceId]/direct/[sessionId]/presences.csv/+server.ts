import { attendanceCsv } from '#lib/classroom/attendance.server';
import { pageError } from '#lib/classroom/pages.server';
import type { RequestHandler } from './$types';

/** The session's attendance as a CSV download, for the space's moderators. */
export const GET: RequestHandler = async ({ locals, params }) => {
  try {
    if (!locals.user) return new Response(null, { status: 401 });
    const { session, sheet } = await locals.services.live.attendance(
      locals.user,
      params.spaceId,
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
