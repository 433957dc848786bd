import { StartSessionRequest } from '@preau/protocol';
import { listAttendance, listSessions } from '@preau/storage';
import { error, fail, redirect } from '@sveltejs/kit';
import { classAccess, startSession, toSummary } from '#lib/classroom/live.server';
import { pageError } from '#lib/classroom/pages.server';
import type { Actions, PageServerLoad } from './$types';

/** A class's live sessions: the one in progress, the past ones, and (teachers) a start button. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  const db = locals.services.database.db;
  try {
    const access = await classAccess(locals.services, locals.user, params.classId);
    const sessions = (await listSessions(db, { spaces: [access.space], limit: 30 })).map(toSummary);
    const open = sessions.find((s) => s.phase !== 'ended') ?? null;
    // How many are in the open session: a teacher about to replace it should know.
    const present = open
      ? (await listAttendance(db, open.sessionId)).filter((s) => !s.leftAt).length
      : 0;
    return {
      classId: params.classId,
      className: access.className,
      moderator: access.moderator,
      open,
      present,
      past: sessions.filter((s) => s.phase === 'ended'),
    };
  } catch (err) {
    pageError(err);
  }
};

export const actions: Actions = {
  /**
   * A teacher starts the class's live session, or rejoins the one open; with
   * `replace` naming the open one (the teacher confirmed), it ends first.
   */
  start: async ({ locals, params, request }) => {
    if (!locals.user) error(401, { code: 'unauthenticated', message: 'sign in first' });
    const form = await request.formData();
    const title = String(form.get('title') ?? '').trim();
    const replace = String(form.get('replace') ?? '').trim();
    const parsed = StartSessionRequest.safeParse({
      classId: params.classId,
      ...(title ? { title } : {}),
      ...(replace ? { replace } : {}),
    });
    if (!parsed.success) return fail(400, { code: 'bad_request' });
    let sessionId: string;
    try {
      const { session } = await startSession(
        locals.services,
        locals.user,
        locals.locale,
        parsed.data,
      );
      sessionId = session.id;
    } catch (err) {
      pageError(err);
    }
    redirect(303, `/classes/${params.classId}/live/${sessionId}`);
  },
};
