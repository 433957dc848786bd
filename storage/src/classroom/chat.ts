import { TraceInput } from '@preau/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import { holdCoversAct } from '../archive/liveHolds';
import type { Schema } from '../db/schema';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** A chat message of a space (written during a live session or not), as stored. */
export interface StoredChatMessage {
  id: string;
  /** The space whose chat it is. */
  spaceId: string;
  /** The live session it was written in; null outside one. */
  sessionId: string | null;
  authorId: string;
  authorName: string;
  text: string;
  sentAt: Date;
  /** When its author last corrected it (null: never). */
  editedAt?: Date | null;
  /** People it mentions (person ids). */
  mentions?: string[];
  /** The id the page gave it before sending (null: an old page). */
  clientId?: string | null;
}

/** Stores a chat message. */
export async function insertChatMessage(tx: Executor, message: StoredChatMessage): Promise<void> {
  await tx
    .insertInto('live_chat_message')
    .values({
      id: message.id,
      session_id: message.sessionId,
      space_id: message.spaceId,
      mentions: JSON.stringify(message.mentions ?? []),
      client_id: message.clientId ?? null,
      author_id: message.authorId,
      author_name: message.authorName,
      text: message.text,
      sent_at: message.sentAt,
      deleted_at: null,
      deleted_by: null,
    })
    .execute();
}

/** The message an author already sent in a space with this client id, or null. */
export async function findChatMessageByClientId(
  db: Executor,
  opts: { spaceId: string; authorId: string; clientId: string },
): Promise<StoredChatMessage | null> {
  const row = await db
    .selectFrom('live_chat_message')
    .selectAll()
    .where('space_id', '=', opts.spaceId)
    .where('author_id', '=', opts.authorId)
    .where('client_id', '=', opts.clientId)
    .executeTakeFirst();
  return row ? toStored(row) : null;
}

/** A chat message to store, with the payload of its `chat.message` trace. */
export interface ChatMessageToStore {
  message: StoredChatMessage;
  payload: Record<string, unknown>;
}

/** What became of a message sent: stored now, or a resend answered with the stored one. */
export interface ChatMessageStored {
  /** The message stored now, or, for a resend, the one stored before. */
  message: StoredChatMessage;
  /** False for a resend: nothing was written or traced. */
  fresh: boolean;
}

/**
 * Stores messages unless their author already sent one with the same client
 * id in the space (a resend after a lost acknowledgement, or two sends racing,
 * in this batch or not: then nothing is written, `false`, and
 * `chatMessageStored` finds the stored one; a message without a client id is
 * always stored), and for each fresh message its `chat.message` trace (the rows
 * `recordTrace` writes: the space's next sequence number, in the order given,
 * the author as actor, the message as subject, sent at `sentAt`), all in ONE
 * statement on its own: one round trip and one commit for every message that
 * arrived meanwhile on a busy node (a group commit), instead of six statements
 * per message (begin, look-up, insert, counter, trace, commit). The rows
 * travel as one JSON document. Nothing is traced for a resend. One
 * statement, so all or nothing: it may be tried again, whole or in parts.
 */
export async function insertChatMessagesTraced(
  db: Executor,
  entries: readonly ChatMessageToStore[],
): Promise<boolean[]> {
  if (entries.length === 0) return [];
  const rows = JSON.stringify(
    entries.map(({ message, payload }, i) => {
      const trace = TraceInput.parse({
        actor: message.authorId,
        kind: 'chat.message',
        space: message.spaceId,
        subject: message.id,
        at: message.sentAt,
        payload,
      });
      return {
        i,
        id: message.id,
        session_id: message.sessionId,
        space_id: message.spaceId,
        mentions: message.mentions ?? [],
        client_id: message.clientId ?? null,
        author_id: message.authorId,
        author_name: message.authorName,
        text: message.text,
        sent_at: message.sentAt.toISOString(),
        payload: trace.payload,
      };
    }),
  );
  const stored = await sql<{ id: string }>`
    WITH v AS (
      SELECT * FROM jsonb_to_recordset(${rows}::jsonb) AS v(
        i int4, id text, session_id text, space_id text, mentions jsonb, client_id text,
        author_id text, author_name text, text text, sent_at timestamptz, payload jsonb)
    ), ins AS (
      INSERT INTO live_chat_message (id, session_id, space_id, mentions, client_id,
        author_id, author_name, text, sent_at, deleted_at, deleted_by)
      SELECT id, session_id, space_id, mentions, client_id, author_id, author_name, text,
        sent_at, NULL, NULL
      FROM v ORDER BY i
      ON CONFLICT (author_id, space_id, client_id) WHERE client_id IS NOT NULL DO NOTHING
      RETURNING id
    ), fresh AS (
      SELECT v.* FROM v JOIN ins ON ins.id = v.id
    ), spaces AS (
      SELECT space_id, count(*)::int8 AS n FROM fresh GROUP BY space_id
    ), counters AS (
      INSERT INTO trace_space AS t (space_id, last_seq)
      SELECT space_id, n FROM spaces ORDER BY space_id
      ON CONFLICT (space_id) DO UPDATE SET last_seq = t.last_seq + EXCLUDED.last_seq
      RETURNING t.space_id, t.last_seq
    ), traced AS (
      INSERT INTO trace_outbox (space_id, seq, kind, actor, subject, at, payload, body)
      SELECT f.space_id,
        c.last_seq - s.n + row_number() OVER (PARTITION BY f.space_id ORDER BY f.i),
        'chat.message', f.author_id, f.id, f.sent_at, f.payload, NULL
      FROM fresh f
      JOIN counters c ON c.space_id = f.space_id
      JOIN spaces s ON s.space_id = f.space_id
    )
    SELECT id FROM ins`.execute(db);
  const inserted = new Set(stored.rows.map((r) => r.id));
  return entries.map(({ message }) => inserted.has(message.id));
}

/**
 * The answer to a message given to `insertChatMessagesTraced`: itself if it
 * was stored (`fresh`), else the message stored before with its client id
 * (a resend, or a send with the same client id that won, earlier in its
 * batch or concurrently: its insert was waited for).
 */
export async function chatMessageStored(
  db: Executor,
  message: StoredChatMessage,
  fresh: boolean,
): Promise<ChatMessageStored> {
  if (fresh) return { message, fresh: true };
  const clientId = message.clientId ?? null;
  if (!clientId) throw new Error('chat message without a client id not inserted');
  const known = await findChatMessageByClientId(db, {
    spaceId: message.spaceId,
    authorId: message.authorId,
    clientId,
  });
  if (!known) throw new Error('chat message neither inserted nor found by its client id');
  return { message: known, fresh: false };
}

/** Which chat a message is looked for in: a live session's, or a space's (any session or none). */
export type ChatScope =
  | { sessionId: string; spaceId?: never }
  | { spaceId: string; sessionId?: never };

/**
 * Marks a message deleted (by a moderator, or by its author when `authorId`
 * is given); returns false when there was no such visible message.
 */
export async function markChatMessageDeleted(
  tx: Executor,
  opts: ChatScope & { messageId: string; by: string; at: Date; authorId?: string },
): Promise<boolean> {
  let query = tx
    .updateTable('live_chat_message')
    .set({ deleted_at: opts.at, deleted_by: opts.by })
    .where('id', '=', opts.messageId)
    .where('deleted_at', 'is', null)
    .where('erased_at', 'is', null);
  query =
    opts.sessionId !== undefined
      ? query.where('session_id', '=', opts.sessionId)
      : query.where('space_id', '=', opts.spaceId);
  if (opts.authorId !== undefined) query = query.where('author_id', '=', opts.authorId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Its author corrects a visible message (and, in a space's chat, whom it
 * mentions); returns the message as it now is, or null if none.
 */
export async function editChatMessage(
  tx: Executor,
  opts: ChatScope & {
    messageId: string;
    authorId: string;
    text: string;
    at: Date;
    mentions?: string[];
  },
): Promise<StoredChatMessage | null> {
  let query = tx
    .updateTable('live_chat_message')
    .set({
      text: opts.text,
      edited_at: opts.at,
      ...(opts.mentions ? { mentions: JSON.stringify(opts.mentions) } : {}),
    })
    .where('id', '=', opts.messageId)
    .where('author_id', '=', opts.authorId)
    .where('deleted_at', 'is', null)
    .where('erased_at', 'is', null);
  query =
    opts.sessionId !== undefined
      ? query.where('session_id', '=', opts.sessionId)
      : query.where('space_id', '=', opts.spaceId);
  const row = await query.returningAll().executeTakeFirst();
  return row ? toStored(row) : null;
}

/** A stored row as the repository hands it out. */
export function toStored(r: {
  id: string;
  session_id: string | null;
  space_id: string;
  mentions: unknown;
  author_id: string;
  author_name: string;
  text: string;
  sent_at: Date | string;
  edited_at: Date | string | null;
  client_id?: string | null;
}): StoredChatMessage {
  return {
    id: r.id,
    spaceId: r.space_id,
    sessionId: r.session_id,
    mentions: parseMentions(r.mentions),
    authorId: r.author_id,
    authorName: r.author_name,
    text: r.text,
    sentAt: new Date(r.sent_at),
    editedAt: r.edited_at ? new Date(r.edited_at) : null,
    clientId: r.client_id ?? null,
  };
}

function parseMentions(value: unknown): string[] {
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
}

/** The latest visible messages of a session, oldest first. */
export async function recentChatMessages(
  db: Executor,
  sessionId: string,
  limit: number,
): Promise<StoredChatMessage[]> {
  const rows = await db
    .selectFrom('live_chat_message')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('deleted_at', 'is', null)
    .orderBy('sent_at', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map(toStored);
}

/** Why a message's text was blanked. */
export type ChatErasureReason = 'erasure' | 'retention';

/**
 * The row a blanked message keeps: its place in the session (id, time), no
 * text, no author; hidden from the chat history like a deleted message.
 */
function blanked(reason: ChatErasureReason, at: Date) {
  return {
    text: '',
    author_id: '',
    author_name: '',
    // Blank authors must not collide on the unique (author, space, client id).
    client_id: null,
    erased_at: at,
    erased_reason: reason,
    deleted_at: sql<Date>`COALESCE(live_chat_message.deleted_at, ${at})`,
    deleted_by: sql<string>`COALESCE(live_chat_message.deleted_by, 'system')`,
  };
}

/**
 * Blanks the text of every chat message (of a live class or of a space's chat) a person wrote, except
 * those a legal hold covers (by space, person, period); returns how many.
 */
export async function eraseChatMessagesOf(db: Executor, person: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('live_chat_message')
    .set(blanked('erasure', at))
    .where('live_chat_message.author_id', '=', person)
    .where('live_chat_message.erased_at', 'is', null)
    .where(
      sql<boolean>`NOT ${holdCoversAct(sql.ref('live_chat_message.space_id'), sql.ref('live_chat_message.author_id'), sql.ref('live_chat_message.sent_at'))}`,
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** What a retention pass over live-class chat did. */
export interface ChatExpiryReport {
  /** Messages whose text was blanked. */
  erased: number;
  /** Expired messages kept because a legal hold covers them. */
  held: number;
}

/**
 * Blanks the text of chat messages (live or space chat) older than their space's
 * retention cutoff, except those a legal hold covers. `cutoffOf` gives a
 * space's cutoff; `before` (the earliest of them) bounds the search.
 */
export async function expireChatMessages(
  db: Executor,
  opts: { before: Date; cutoffOf: (space: string) => Promise<Date>; now: Date },
): Promise<ChatExpiryReport> {
  const spaces = await db
    .selectFrom('live_chat_message as m')
    .select('m.space_id')
    .distinct()
    .where('m.erased_at', 'is', null)
    .where('m.sent_at', '<', opts.before)
    .orderBy('m.space_id')
    .execute();
  const report: ChatExpiryReport = { erased: 0, held: 0 };
  const held = holdCoversAct(
    sql.ref('live_chat_message.space_id'),
    sql.ref('live_chat_message.author_id'),
    sql.ref('live_chat_message.sent_at'),
  );
  for (const { space_id: space } of spaces) {
    const cutoff = await opts.cutoffOf(space);
    const result = await db
      .updateTable('live_chat_message')
      .set(blanked('retention', opts.now))
      .where('live_chat_message.space_id', '=', space)
      .where('live_chat_message.erased_at', 'is', null)
      .where('live_chat_message.sent_at', '<', cutoff)
      .where(sql<boolean>`NOT ${held}`)
      .executeTakeFirst();
    report.erased += Number(result.numUpdatedRows);
    const kept = await db
      .selectFrom('live_chat_message')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('live_chat_message.space_id', '=', space)
      .where('live_chat_message.erased_at', 'is', null)
      .where('live_chat_message.sent_at', '<', cutoff)
      .where(held)
      .executeTakeFirst();
    report.held += Number(kept?.n ?? 0);
  }
  return report;
}
