import { GroupCommit } from '@preau/protocol/server';
import {
  type ChatMessageStored,
  type ChatMessageToStore,
  type Schema,
  storeChatMessagesTraced,
} from '@preau/storage';
import type { Kysely } from 'kysely';

/** Stores a chat message and its trace (or answers a resend with the stored one). */
export type StoreChat = (entry: ChatMessageToStore) => Promise<ChatMessageStored>;

/**
 * The node's chat writer, shared by live sessions and spaces' chats: the
 * messages that arrive while a batch is being written are stored and traced
 * together in the next one (one statement, one commit: `GroupCommit`). At
 * 5,000 participants on one node, one statement per message kept the
 * database pool's ten connections busy and messages queued behind them.
 */
export function chatWriter(db: Kysely<Schema>): { store: StoreChat; batches(): number } {
  const commit = new GroupCommit((batch: ChatMessageToStore[]) =>
    storeChatMessagesTraced(db, batch),
  );
  return { store: (entry) => commit.add(entry), batches: () => commit.batches };
}
