import { type ChatMessage, CLASSROOM_LIMITS, PreauError } from '@preau/protocol';
import { insertChatMessage, markChatMessageDeleted } from '@preau/storage';
import { newId } from '../session/ids';
import type { SessionContext } from '../session/SessionContext';
import type { Actor } from '../session/types';
import { ChatLog } from './ChatLog';

/** A session's chat: everyone who may write sends, moderators delete; each act is traced. */
export class SessionChat {
  readonly #s: SessionContext;
  readonly #log: ChatLog;

  constructor(session: SessionContext, history: ChatMessage[]) {
    this.#s = session;
    this.#log = new ChatLog(CLASSROOM_LIMITS.chatHistory, history);
  }

  /** The latest messages, oldest first. */
  list(): ChatMessage[] {
    return this.#log.list();
  }

  /** Sends a message to everyone; the sender gets it in the ack. */
  send(actor: Actor, text: string): Promise<ChatMessage> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      const message: ChatMessage = {
        messageId: newId('m'),
        participantId: p.id,
        name: p.name,
        text,
        sentAt: s.now().toISOString(),
      };
      await s.write(async (tx) => {
        await insertChatMessage(tx, {
          id: message.messageId,
          sessionId: s.id,
          authorId: p.id,
          authorName: p.name,
          text,
          sentAt: new Date(message.sentAt),
        });
        await s.trace(tx, p.id, 'chat.message', message.messageId, { session: s.id, text });
      });
      this.#log.add(message);
      s.broadcast('chat.message', message, actor.socketId);
      return message;
    });
  }

  /**
   * After an erasure (the stored messages are already erased): the person's
   * messages leave the memory of this session and every screen in it.
   */
  forgetAuthor(participantId: string): Promise<number> {
    const s = this.#s;
    return s.run(async () => {
      const ids = this.#log.idsBy(participantId);
      for (const messageId of ids) {
        this.#log.remove(messageId);
        s.broadcast('chat.deleted', { messageId });
      }
      return ids.length;
    });
  }

  /** A moderator deletes a message for everyone. */
  delete(actor: Actor, messageId: string): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      await s.write(async (tx) => {
        const at = s.now();
        const found = await markChatMessageDeleted(tx, {
          sessionId: s.id,
          messageId,
          by: p.id,
          at,
        });
        if (!found) throw new PreauError('not_found', 'no such message');
        await s.trace(tx, p.id, 'chat.deleted', messageId, { session: s.id }, at);
      });
      this.#log.remove(messageId);
      s.broadcast('chat.deleted', { messageId });
    });
  }
}
