import { TraceInput } from '@preau/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Schema } from '../db/schema';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** One stay of a person in a live session. */
export interface StoredStay {
  personId: string;
  name: string;
  joinedAt: Date;
  leftAt: Date | null;
  leaveReason: string | null;
}

/** Opens a stay (a person arrived). */
export async function openStay(
  tx: Executor,
  stay: { sessionId: string; personId: string; name: string; at: Date },
): Promise<void> {
  await tx
    .insertInto('live_attendance')
    .values({
      session_id: stay.sessionId,
      person_id: stay.personId,
      name: stay.name,
      joined_at: stay.at,
      left_at: null,
      leave_reason: null,
    })
    .execute();
}

/** Closes the person's open stay (they left, timed out or were removed); false if none was open. */
export async function closeStay(
  tx: Executor,
  stay: { sessionId: string; personId: string; at: Date; reason: string },
): Promise<boolean> {
  const closed = await tx
    .updateTable('live_attendance')
    .set({ left_at: stay.at, leave_reason: stay.reason })
    .where('session_id', '=', stay.sessionId)
    .where('person_id', '=', stay.personId)
    .where('left_at', 'is', null)
    .executeTakeFirst();
  return closed.numUpdatedRows > 0n;
}

/** What a live session traces of an arrival or a departure (its subject is the session). */
export interface StayTrace {
  /** The session's space: where the act is traced. */
  space: string;
  kind: 'session.joined' | 'session.left';
  payload: Record<string, unknown>;
}

/**
 * The trace row `recordTrace` writes for `stay`'s person (the actor, at the
 * stay's time, the session as subject), as the tail of a statement whose
 * other parts are `acts` (data-modifying `WITH` clauses): one statement.
 */
function withStayTrace(
  acts: ReturnType<typeof sql>,
  stay: { sessionId: string; personId: string; at: Date },
  trace: StayTrace,
) {
  const t = TraceInput.parse({
    actor: stay.personId,
    kind: trace.kind,
    space: trace.space,
    subject: stay.sessionId,
    at: stay.at,
    payload: trace.payload,
  });
  return sql`
    WITH ${acts}, counter AS (
      INSERT INTO trace_space AS t (space_id, last_seq) VALUES (${t.space}, 1)
      ON CONFLICT (space_id) DO UPDATE SET last_seq = t.last_seq + 1
      RETURNING last_seq
    )
    INSERT INTO trace_outbox (space_id, seq, kind, actor, subject, at, payload, body)
    SELECT ${t.space}, last_seq, ${t.kind}, ${t.actor}, ${t.subject ?? null}, ${t.at ?? stay.at},
      ${JSON.stringify(t.payload)}::jsonb, NULL
    FROM counter`;
}

/**
 * A person's arrival in ONE statement on its own: their stay opened and its
 * trace (`session.joined`, the rows `recordTrace` would write). The same
 * rows as `openStay` and `recordTrace` in a transaction, in one round trip
 * and one commit instead of five statements: what a node pays for every
 * arrival of a join storm.
 */
export async function openStayTraced(
  db: Executor,
  stay: { sessionId: string; personId: string; name: string; at: Date },
  trace: StayTrace,
): Promise<void> {
  await withStayTrace(
    sql`stay AS (
      INSERT INTO live_attendance (session_id, person_id, name, joined_at, left_at, leave_reason)
      VALUES (${stay.sessionId}, ${stay.personId}, ${stay.name}, ${stay.at}, NULL, NULL)
    )`,
    stay,
    trace,
  ).execute(db);
}

/**
 * A person's departure in ONE statement on its own: their open stay closed
 * (if one was open), their hand lowered and the departure traced
 * (`session.left`), as `closeStay`, `lowerHand` and `recordTrace` do in a
 * transaction.
 */
export async function closeStayTraced(
  db: Executor,
  stay: { sessionId: string; personId: string; at: Date; reason: string },
  trace: StayTrace,
): Promise<void> {
  await withStayTrace(
    sql`closed AS (
      UPDATE live_attendance SET left_at = ${stay.at}, leave_reason = ${stay.reason}
      WHERE session_id = ${stay.sessionId} AND person_id = ${stay.personId} AND left_at IS NULL
    ), lowered AS (
      DELETE FROM live_hand WHERE session_id = ${stay.sessionId} AND person_id = ${stay.personId}
    )`,
    stay,
    trace,
  ).execute(db);
}

/** Closes the open stays of sessions that were cut short (a server that stopped without ending them). */
export async function closeDanglingStays(tx: Executor, sessionId: string, at: Date): Promise<void> {
  await tx
    .updateTable('live_attendance')
    .set({ left_at: at, leave_reason: 'timeout' })
    .where('session_id', '=', sessionId)
    .where('left_at', 'is', null)
    .execute();
}

/** Attendance of a session, in order of arrival. */
export async function listAttendance(db: Executor, sessionId: string): Promise<StoredStay[]> {
  const rows = await db
    .selectFrom('live_attendance')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('joined_at')
    .orderBy('person_id')
    .execute();
  return rows.map((r) => ({
    personId: r.person_id,
    name: r.name,
    joinedAt: new Date(r.joined_at),
    leftAt: r.left_at ? new Date(r.left_at) : null,
    leaveReason: r.leave_reason,
  }));
}
