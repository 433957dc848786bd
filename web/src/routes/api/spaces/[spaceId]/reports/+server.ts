import { ReportRequest } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `POST /api/spaces/[spaceId]/reports`: reports a message, a document or a file to the school's staff. */
export const POST: RequestHandler = api(async ({ params, request, locals }) => {
  const user = requireUser(locals);
  const body = await readJson(request, ReportRequest);
  return locals.services.reports.file(user, params.spaceId, body);
});
