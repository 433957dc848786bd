import type { ReportView } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/schools/[uai]/reports`: the reports the school's staff received, newest first. */
export const GET: RequestHandler = api(
  async ({ params, locals }): Promise<ReportView[]> =>
    locals.services.reports.inbox(requireUser(locals), params.uai),
);
