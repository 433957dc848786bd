import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema';
import { recordTrace } from '../trace/recordTrace';
import { markSessionEnded } from './liveSessions';

/**
 * Ends a live session from outside its room (a teacher starting a new one, an
 * idle session timing out): the end, the stays it closes and their traces
 * commit together. `by` is the teacher, or `system` for a timeout. False when
 * the session was already over.
 */
export async function endLiveSession(
  db: Kysely<Schema>,
  opts: { id: string; by: string; at: Date; system?: boolean },
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const session = await tx
      .selectFrom('live_session')
      .select(['space_id'])
      .where('id', '=', opts.id)
      .executeTakeFirst();
    if (!session) return false;
    const open = await tx
      .selectFrom('live_attendance')
      .select('person_id')
      .where('session_id', '=', opts.id)
      .where('left_at', 'is', null)
      .execute();
    if (!(await markSessionEnded(tx, opts.id, opts.at))) return false;
    const trace = (
      actor: string,
      kind: 'session.left' | 'session.moderation' | 'session.ended',
      payload: Record<string, unknown>,
    ) =>
      recordTrace(tx, {
        actor,
        kind,
        space: session.space_id,
        subject: opts.id,
        payload,
        at: opts.at,
      });
    for (const stay of open) await trace(stay.person_id, 'session.left', { reason: 'ended' });
    if (!opts.system) await trace(opts.by, 'session.moderation', { action: 'end' });
    await trace(opts.by, 'session.ended', {});
    return true;
  });
}

/**
 * Live sessions nobody has been in since `before`: no stay open, and the last
 * departure (or the start, if nobody ever came) earlier than that.
 */
export async function idleLiveSessions(
  db: Kysely<Schema>,
  opts: { before: Date; limit?: number },
): Promise<{ id: string; space: string }[]> {
  const rows = await db
    .selectFrom('live_session as s')
    .select(['s.id', 's.space_id'])
    .where('s.phase', '=', 'live')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('live_attendance as a')
            .select(sql`1`.as('one'))
            .whereRef('a.session_id', '=', 's.id')
            .where('a.left_at', 'is', null),
        ),
      ),
    )
    .where(
      sql<Date>`coalesce((select max(a.left_at) from live_attendance a where a.session_id = s.id), s.started_at, s.created_at)`,
      '<',
      opts.before,
    )
    .orderBy('s.created_at')
    .limit(opts.limit ?? 100)
    .execute();
  return rows.map((r) => ({ id: r.id, space: r.space_id }));
}
