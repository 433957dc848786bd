import { pageError } from '#lib/classroom/pages.server';
import { pollCsv } from '#lib/classroom/polls/pollCsv.server';
import type { RequestHandler } from './$types';

/** A poll's results as a CSV download, for the space's moderators. */
export const GET: RequestHandler = async ({ locals, params }) => {
  try {
    if (!locals.user) return new Response(null, { status: 401 });
    const report = await locals.services.polls.report(locals.user, params.pollId, params.spaceId);
    if (report.session.sessionId !== params.sessionId) return new Response(null, { status: 404 });
    const day = report.poll.createdAt.slice(0, 10);
    return new Response(pollCsv(report.poll, report.results, locals.locale), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="sondage-${day}-${report.poll.pollId}.csv"`,
        'cache-control': 'private, no-store',
      },
    });
  } catch (err) {
    pageError(err);
  }
};
