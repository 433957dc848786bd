import { type SessionSummary, StartSessionRequest } from '@preau/protocol';
import { classesOfPerson, listSessions } from '@preau/storage';
import { startSession, toSummary } from '#lib/classroom/live.server';
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

/**
 * A teacher starts a live session for one of their classes: 201 with the new
 * one; 200 with the one already open, unless `replace` names it (it ends first).
 */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireUser(locals);
  const body = await readJson(request, StartSessionRequest);
  const { session, created } = await startSession(locals.services, user, locals.locale, body);
  const summary: SessionSummary = toSummary(session);
  return ok(summary, created ? 201 : 200);
});
