import { redirect } from '@sveltejs/kit';
import { classAccess, sessionOfClass, toSummary } from '#lib/classroom/live.server';
import { pageError } from '#lib/classroom/pages.server';
import type { PageServerLoad } from './$types';

/** The live room of one session of a class. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  const db = locals.services.database.db;
  try {
    const access = await classAccess(db, locals.user, params.classId);
    const session = await sessionOfClass(db, params.classId, params.sessionId);
    return {
      classId: params.classId,
      className: access.className,
      moderator: access.moderator,
      space: access.space,
      session: toSummary(session),
    };
  } catch (err) {
    pageError(err);
  }
};
