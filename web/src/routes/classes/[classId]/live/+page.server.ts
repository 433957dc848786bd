import { PreauError, StartSessionRequest } from '@preau/protocol';
import { listSessions, startLiveSession } from '@preau/storage';
import { error, fail, redirect } from '@sveltejs/kit';
import { classAccess, toSummary } from '#lib/classroom/live.server';
import { newSessionId, pageError } from '#lib/classroom/pages.server';
import { translator } from '#lib/i18n';
import type { Actions, PageServerLoad } from './$types';

/** A class's live sessions: the one in progress, the past ones, and (teachers) a start button. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  const db = locals.services.database.db;
  try {
    const access = await classAccess(db, locals.user, params.classId);
    const sessions = (await listSessions(db, { spaces: [access.space], limit: 30 })).map(toSummary);
    return {
      classId: params.classId,
      className: access.className,
      moderator: access.moderator,
      open: sessions.find((s) => s.phase !== 'ended') ?? null,
      past: sessions.filter((s) => s.phase === 'ended'),
    };
  } catch (err) {
    pageError(err);
  }
};

export const actions: Actions = {
  /** A teacher starts (or rejoins) the class's live session. */
  start: async ({ locals, params, request }) => {
    if (!locals.user) error(401, { code: 'unauthenticated', message: 'sign in first' });
    const db = locals.services.database.db;
    const form = await request.formData();
    const title = String(form.get('title') ?? '').trim();
    const parsed = StartSessionRequest.safeParse({
      classId: params.classId,
      ...(title ? { title } : {}),
    });
    if (!parsed.success) return fail(400, { code: 'bad_request' });
    let sessionId: string;
    try {
      const access = await classAccess(db, locals.user, params.classId);
      if (!access.moderator) throw new PreauError('forbidden', 'teachers only');
      const t = translator(locals.locale);
      const { session } = await startLiveSession(db, {
        id: newSessionId(),
        space: access.space,
        classId: params.classId,
        title: parsed.data.title ?? t('live.defaultTitle', { name: access.className }),
        createdBy: locals.user.id,
      });
      sessionId = session.id;
    } catch (err) {
      pageError(err);
    }
    redirect(303, `/classes/${params.classId}/live/${sessionId}`);
  },
};
