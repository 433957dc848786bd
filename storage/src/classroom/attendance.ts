import type { Kysely, Transaction } from 'kysely';
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
