import { listDocs } from '@preau/storage';
import { redirect } from '@sveltejs/kit';
import { classAccess, rosterOf, sessionOfClass, toSummary } from '#lib/classroom/live.server';
import { pageError } from '#lib/classroom/pages.server';
import type { PageServerLoad } from './$types';

/** The live room of one session of a class, with the class's pads and boards to open beside it. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  const db = locals.services.database.db;
  try {
    const access = await classAccess(locals.services, locals.user, params.classId);
    const session = await sessionOfClass(db, params.classId, params.sessionId);
    const docs = await listDocs(db, access.space);
    // The roster tells homonyms apart; only the class's members, who see each other anyway.
    const roster = Object.fromEntries(
      (await rosterOf(db, params.classId)).map(({ personId, name, tag }) => [
        personId,
        tag ? { name, tag } : { name },
      ]),
    );
    return {
      classId: params.classId,
      className: access.className,
      moderator: access.moderator,
      space: access.space,
      session: toSummary(session),
      user: { id: locals.user.id, name: locals.user.name },
      canEdit: access.rights.includes('write'),
      roster,
      docs: docs
        .filter((doc) => !doc.archived)
        .map(({ id, kind, title, space, archived }) => ({ id, kind, title, space, archived })),
    };
  } catch (err) {
    pageError(err);
  }
};
