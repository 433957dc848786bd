import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import { recordTrace } from '../trace/recordTrace';
import type { ClassroomTables } from './tables';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** A live session as stored. */
export interface StoredSession {
  id: string;
  space: string;
  classId: string | null;
  title: string;
  phase: 'scheduled' | 'live' | 'ended';
  locked: boolean;
  studentScreenShare: boolean;
  createdBy: string;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

function toSession(row: Selectable<ClassroomTables['live_session']>): StoredSession {
  return {
    id: row.id,
    space: row.space_id,
    classId: row.class_id,
    title: row.title,
    phase: row.phase,
    locked: row.locked,
    studentScreenShare: row.student_screen_share,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    startedAt: row.started_at ? new Date(row.started_at) : null,
    endedAt: row.ended_at ? new Date(row.ended_at) : null,
  };
}

/** Inserts a new session; fails on the unique index when the space already has an open one. */
export async function insertSession(
  tx: Executor,
  session: Pick<StoredSession, 'id' | 'space' | 'classId' | 'title' | 'phase' | 'createdBy'> & {
    startedAt: Date | null;
    /** Whether everyone who may present shares a screen from the start (a group's salon). */
    studentScreenShare?: boolean;
  },
): Promise<StoredSession> {
  const row = await tx
    .insertInto('live_session')
    .values({
      id: session.id,
      space_id: session.space,
      class_id: session.classId,
      title: session.title,
      phase: session.phase,
      created_by: session.createdBy,
      started_at: session.startedAt,
      ended_at: null,
      ...(session.studentScreenShare !== undefined
        ? { student_screen_share: session.studentScreenShare }
        : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSession(row);
}

/** One session by id, or undefined. */
export async function getSession(db: Executor, id: string): Promise<StoredSession | undefined> {
  const row = await db
    .selectFrom('live_session')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toSession(row) : undefined;
}

/** The space's session that is not over (scheduled or live), if any. */
export async function openSessionOfSpace(
  db: Executor,
  space: string,
): Promise<StoredSession | undefined> {
  const row = await db
    .selectFrom('live_session')
    .selectAll()
    .where('space_id', '=', space)
    .where('phase', '<>', 'ended')
    .executeTakeFirst();
  return row ? toSession(row) : undefined;
}

/** Sessions of some spaces, newest first; `open` keeps only those not over. */
export async function listSessions(
  db: Executor,
  opts: { spaces: string[]; open?: boolean; limit?: number },
): Promise<StoredSession[]> {
  if (opts.spaces.length === 0) return [];
  let query = db.selectFrom('live_session').selectAll().where('space_id', 'in', opts.spaces);
  if (opts.open) query = query.where('phase', '<>', 'ended');
  const rows = await query
    .orderBy('created_at', 'desc')
    .limit(opts.limit ?? 50)
    .execute();
  return rows.map(toSession);
}

/** Moves a session to live. */
export async function markSessionLive(tx: Executor, id: string, at: Date): Promise<void> {
  await tx
    .updateTable('live_session')
    .set({ phase: 'live', started_at: at })
    .where('id', '=', id)
    .execute();
}

/**
 * Ends a session and closes every stay still open in it; false (and nothing
 * written) when it was already over, ended by another process or page.
 */
export async function markSessionEnded(tx: Executor, id: string, at: Date): Promise<boolean> {
  const ended = await tx
    .updateTable('live_session')
    .set({ phase: 'ended', ended_at: at })
    .where('id', '=', id)
    .where('phase', '<>', 'ended')
    .executeTakeFirst();
  if (ended.numUpdatedRows === 0n) return false;
  await tx
    .updateTable('live_attendance')
    .set({ left_at: at, leave_reason: 'ended' })
    .where('session_id', '=', id)
    .where('left_at', 'is', null)
    .execute();
  // Hands are kept only for a session that may still be joined.
  await tx.deleteFrom('live_hand').where('session_id', '=', id).execute();
  return true;
}

/** Changes a session's policy: locked, students allowed to share their screen. */
export async function updateSessionPolicy(
  tx: Executor,
  id: string,
  policy: { locked?: boolean; studentScreenShare?: boolean },
): Promise<void> {
  const set: { locked?: boolean; student_screen_share?: boolean } = {};
  if (policy.locked !== undefined) set.locked = policy.locked;
  if (policy.studentScreenShare !== undefined) set.student_screen_share = policy.studentScreenShare;
  if (Object.keys(set).length === 0) return;
  await tx.updateTable('live_session').set(set).where('id', '=', id).execute();
}

/**
 * Starts a live session in a space, or returns the one already open there
 * (a second click, a second teacher). The row and its `session.started`
 * trace commit together.
 */
export async function startLiveSession(
  db: Kysely<Schema>,
  opts: {
    id: string;
    space: string;
    classId: string | null;
    title: string;
    createdBy: string;
    studentScreenShare?: boolean;
  },
): Promise<{ session: StoredSession; created: boolean }> {
  const existing = await openSessionOfSpace(db, opts.space);
  if (existing) return { session: existing, created: false };
  try {
    const session = await db.transaction().execute(async (tx) => {
      const at = new Date();
      const row = await insertSession(tx, { ...opts, phase: 'live', startedAt: at });
      await recordTrace(tx, {
        actor: opts.createdBy,
        kind: 'session.started',
        space: opts.space,
        subject: opts.id,
        payload: { title: opts.title },
        at,
      });
      return row;
    });
    return { session, created: true };
  } catch (err) {
    // Two starts raced: the unique index let one through; join that one.
    const winner = await openSessionOfSpace(db, opts.space);
    if (winner) return { session: winner, created: false };
    throw err;
  }
}
