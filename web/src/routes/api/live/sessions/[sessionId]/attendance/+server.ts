import { AttendanceSheet } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/**
 * A session's attendance for those who moderate its space: every member,
 * present or absent, with their stays (arrival, departure, why) and time present.
 */
export const GET: RequestHandler = api(async ({ locals, params }) => {
  const user = requireUser(locals);
  return (await locals.services.live.attendanceOfSession(user, params.sessionId)).sheet;
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'La feuille de présence d’une session : chaque membre, présent ou absent, ses passages et son temps de présence',
      en: 'A session’s attendance: every member, present or absent, their stays and time present',
    },
    tag: 'live',
    access: 'spaceModerators',
    response: AttendanceSheet,
    errors: ['forbidden', 'not_found'],
  },
});
