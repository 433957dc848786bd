import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** A chat message of a live session, as stored. */
export interface StoredChatMessage {
  id: string;
  sessionId: string;
  authorId: string;
  authorName: string;
  text: string;
  sentAt: Date;
}

/** Stores a chat message. */
export async function insertChatMessage(tx: Executor, message: StoredChatMessage): Promise<void> {
  await tx
    .insertInto('live_chat_message')
    .values({
      id: message.id,
      session_id: message.sessionId,
      author_id: message.authorId,
      author_name: message.authorName,
      text: message.text,
      sent_at: message.sentAt,
      deleted_at: null,
      deleted_by: null,
    })
    .execute();
}

/** Marks a message deleted by a moderator; returns false when there was no such visible message. */
export async function markChatMessageDeleted(
  tx: Executor,
  opts: { sessionId: string; messageId: string; by: string; at: Date },
): Promise<boolean> {
  const result = await tx
    .updateTable('live_chat_message')
    .set({ deleted_at: opts.at, deleted_by: opts.by })
    .where('id', '=', opts.messageId)
    .where('session_id', '=', opts.sessionId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
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
  return rows.reverse().map((r) => ({
    id: r.id,
    sessionId: r.session_id,
    authorId: r.author_id,
    authorName: r.author_name,
    text: r.text,
    sentAt: new Date(r.sent_at),
  }));
}
