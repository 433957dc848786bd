import { PreauError, type SessionSummary, StartSessionRequest } from '@preau/protocol';
import { classesOfPerson, listSessions, startLiveSession } from '@preau/storage';
import { classAccess, toSummary } from '#lib/classroom/live.server';
import { newSessionId } from '#lib/classroom/pages.server';
import { translator } from '#lib/i18n';
import { api, ok, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** The live sessions in progress in the signed-in person's classes (for "join in one click"). */
export const GET: RequestHandler = api(async ({ locals }) => {
  const user = requireUser(locals);
  const db = locals.services.database.db;
  const classes = await classesOfPerson(db, user.id);
  const sessions = await listSessions(db, { spaces: classes.map((c) => c.space), open: true });
  return sessions.map(toSummary);
});

/** A teacher starts a live session for one of their classes (or gets the one already open). */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireUser(locals);
  const body = await readJson(request, StartSessionRequest);
  const db = locals.services.database.db;
  const access = await classAccess(db, user, body.classId);
  if (!access.moderator) throw new PreauError('forbidden', 'teachers only');
  const { session, created } = await startLiveSession(db, {
    id: newSessionId(),
    space: access.space,
    classId: body.classId,
    title: body.title ?? translator(locals.locale)('live.defaultTitle', { name: access.className }),
    createdBy: user.id,
  });
  const summary: SessionSummary = toSummary(session);
  return ok(summary, created ? 201 : 200);
});
