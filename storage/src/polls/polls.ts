import type { PollView } from '@preau/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import { holdCoversAct } from '../archive/liveHolds';
import type { Schema } from '../db/schema';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** A poll as stored. */
export interface StoredPoll {
  id: string;
  sessionId: string;
  space: string;
  kind: 'yes_no' | 'single' | 'multiple' | 'text';
  question: string;
  options: string[];
  anonymous: boolean;
  createdBy: string;
  createdAt: Date;
  closedAt: Date | null;
  publishedAt: Date | null;
}

/** A stored poll as the wire shows it (to the room and to the results' readers). */
export function pollViewOf(p: StoredPoll): PollView {
  return {
    pollId: p.id,
    kind: p.kind,
    question: p.question,
    options: p.options,
    anonymous: p.anonymous,
    state: p.closedAt ? 'closed' : 'open',
    published: p.publishedAt !== null,
    createdAt: p.createdAt.toISOString(),
    closedAt: p.closedAt?.toISOString() ?? null,
  };
}

/** An answer as stored: `personId` is null for an anonymous poll (and after an erasure). */
export interface StoredPollAnswer {
  id: string;
  pollId: string;
  personId: string | null;
  personName: string | null;
  choices: number[];
  text: string | null;
  answeredAt: Date;
}

/** Records a new poll, open. */
export async function insertPoll(
  tx: Executor,
  poll: Omit<StoredPoll, 'closedAt' | 'publishedAt'>,
): Promise<void> {
  await tx
    .insertInto('live_poll')
    .values({
      id: poll.id,
      session_id: poll.sessionId,
      space_id: poll.space,
      kind: poll.kind,
      question: poll.question,
      options: JSON.stringify(poll.options),
      anonymous: poll.anonymous,
      created_by: poll.createdBy,
      created_at: poll.createdAt,
    })
    .execute();
}

/** Closes a poll; false if it was already closed. */
export async function closePoll(tx: Executor, id: string, at: Date): Promise<boolean> {
  const r = await tx
    .updateTable('live_poll')
    .set({ closed_at: at })
    .where('id', '=', id)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Closes a session's polls left open (its process stopped while they ran); returns their ids. */
export async function closeOpenPollsOf(
  tx: Executor,
  sessionId: string,
  at: Date,
): Promise<string[]> {
  const rows = await tx
    .updateTable('live_poll')
    .set({ closed_at: at })
    .where('session_id', '=', sessionId)
    .where('closed_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Marks a poll's results as shown to the class (the first time only). */
export async function publishPoll(tx: Executor, id: string, at: Date): Promise<void> {
  await tx
    .updateTable('live_poll')
    .set({ published_at: at })
    .where('id', '=', id)
    .where('published_at', 'is', null)
    .execute();
}

/**
 * Records an answer. For an anonymous poll no person is written, whatever
 * the caller passes (and the table's CHECK refuses one).
 */
export async function insertPollAnswer(
  tx: Executor,
  answer: StoredPollAnswer & { anonymous: boolean },
): Promise<void> {
  await tx
    .insertInto('live_poll_answer')
    .values({
      id: answer.id,
      poll_id: answer.pollId,
      anonymous: answer.anonymous,
      person_id: answer.anonymous ? null : answer.personId,
      person_name: answer.anonymous ? null : answer.personName,
      choices: JSON.stringify(answer.choices),
      text: answer.text,
      answered_at: answer.answeredAt,
    })
    .execute();
}

/** A session's polls, oldest first. */
export async function pollsOfSession(db: Executor, sessionId: string): Promise<StoredPoll[]> {
  const rows = await db
    .selectFrom('live_poll')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toPoll);
}

/** One poll, or null. */
export async function findPoll(db: Executor, id: string): Promise<StoredPoll | null> {
  const row = await db.selectFrom('live_poll').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toPoll(row) : null;
}

/** A poll's answers, in the order given. */
export async function answersOfPoll(db: Executor, pollId: string): Promise<StoredPollAnswer[]> {
  const rows = await db
    .selectFrom('live_poll_answer')
    .selectAll()
    .where('poll_id', '=', pollId)
    .orderBy('answered_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    pollId: r.poll_id,
    personId: r.person_id,
    personName: r.person_name,
    choices: jsonArray(r.choices).filter((c): c is number => typeof c === 'number'),
    text: r.text,
    answeredAt: new Date(r.answered_at),
  }));
}

/**
 * Erasure of a person's named answers, except those a legal hold covers:
 * the answer keeps its count (its choices) but loses who gave it and its
 * free text. Returns how many.
 */
export async function erasePollAnswersOf(db: Executor, person: string, at: Date): Promise<number> {
  const held = holdCoversAct(
    sql.ref('p.space_id'),
    sql.ref('a.person_id'),
    sql.ref('a.answered_at'),
  );
  const result = await sql`
    UPDATE live_poll_answer AS a
    SET person_id = NULL, person_name = NULL,
        text = CASE WHEN a.text IS NULL THEN NULL ELSE '' END, erased_at = ${at}
    FROM live_poll AS p
    WHERE p.id = a.poll_id AND a.person_id = ${person} AND NOT ${held}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Retention: polls older than their space's cutoff for `poll.answered` are
 * deleted with their answers, unless a legal hold covers the space at that
 * time. Returns how many polls went.
 */
export async function expirePolls(
  db: Executor,
  opts: { before: Date; cutoffOf: (space: string) => Promise<Date> },
): Promise<{ removed: number; held: number }> {
  const spaces = await db
    .selectFrom('live_poll')
    .select('space_id')
    .distinct()
    .where('created_at', '<', opts.before)
    .execute();
  const report = { removed: 0, held: 0 };
  const held = holdCoversAct(
    sql.ref('live_poll.space_id'),
    sql.lit(null),
    sql.ref('live_poll.created_at'),
  );
  for (const { space_id: space } of spaces) {
    const cutoff = await opts.cutoffOf(space);
    const r = await db
      .deleteFrom('live_poll')
      .where('space_id', '=', space)
      .where('created_at', '<', cutoff)
      .where(sql<boolean>`NOT ${held}`)
      .executeTakeFirst();
    report.removed += Number(r.numDeletedRows);
    const kept = await db
      .selectFrom('live_poll')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('space_id', '=', space)
      .where('created_at', '<', cutoff)
      .where(held)
      .executeTakeFirst();
    report.held += Number(kept?.n ?? 0);
  }
  return report;
}

/** A session's floor settings (defaults when none were written). */
export async function sessionFloor(
  db: Executor,
  sessionId: string,
): Promise<{ waitingRoom: boolean; chatOpen: boolean }> {
  const row = await db
    .selectFrom('live_session_floor')
    .selectAll()
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return { waitingRoom: row?.waiting_room ?? false, chatOpen: row?.chat_open ?? true };
}

/** Writes a session's floor settings. */
export async function saveSessionFloor(
  tx: Executor,
  sessionId: string,
  floor: { waitingRoom: boolean; chatOpen: boolean },
): Promise<void> {
  await tx
    .insertInto('live_session_floor')
    .values({ session_id: sessionId, waiting_room: floor.waitingRoom, chat_open: floor.chatOpen })
    .onConflict((oc) =>
      oc
        .column('session_id')
        .doUpdateSet({ waiting_room: floor.waitingRoom, chat_open: floor.chatOpen }),
    )
    .execute();
}

function toPoll(r: {
  id: string;
  session_id: string;
  space_id: string;
  kind: StoredPoll['kind'];
  question: string;
  options: unknown;
  anonymous: boolean;
  created_by: string;
  created_at: Date | string;
  closed_at: Date | string | null;
  published_at: Date | string | null;
}): StoredPoll {
  return {
    id: r.id,
    sessionId: r.session_id,
    space: r.space_id,
    kind: r.kind,
    question: r.question,
    options: jsonArray(r.options).filter((o): o is string => typeof o === 'string'),
    anonymous: r.anonymous,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
    publishedAt: r.published_at ? new Date(r.published_at) : null,
  };
}

/** jsonb comes back parsed from some drivers and as text from others. */
function jsonArray(value: unknown): unknown[] {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(parsed) ? parsed : [];
}
