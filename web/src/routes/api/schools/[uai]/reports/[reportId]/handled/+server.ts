import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `POST /api/schools/[uai]/reports/[reportId]/handled`: staff mark a report handled. */
export const POST: RequestHandler = api(async ({ params, locals }) => {
  await locals.services.reports.handled(requireUser(locals), params.uai, params.reportId);
  return {};
});
