import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * A session's attendance for those who moderate its space: every member,
 * present or absent, with their stays (arrival, departure, why) and time present.
 */
export const GET: RequestHandler = api(async ({ locals, params }) => {
  const user = requireUser(locals);
  return (await locals.services.live.attendanceOfSession(user, params.sessionId)).sheet;
});
