import { type ChatMessage, CLASSROOM_LIMITS, PreauError } from '@preau/protocol';
import { editChatMessage, markChatMessageDeleted, type StoredChatMessage } from '@preau/storage';
import { newId } from '../session/ids';
import type { Participant } from '../session/LiveSession';
import type { SessionContext } from '../session/SessionContext';
import type { Actor } from '../session/types';
import { ChatLog } from './ChatLog';

/**
 * A session's chat: everyone who may write sends, and corrects or deletes
 * their own messages; moderators delete any. Each act is traced, so the
 * archive keeps every version of what was said.
 */
export class SessionChat {
  readonly #s: SessionContext;
  readonly #log: ChatLog;
  /** Refuses a participant's writing (a muted chat, the chat closed to students). */
  readonly #mayWrite: (p: Participant) => void;

  constructor(
    session: SessionContext,
    history: ChatMessage[],
    mayWrite: (p: Participant) => void = () => {},
  ) {
    this.#s = session;
    this.#log = new ChatLog(CLASSROOM_LIMITS.chatHistory, history);
    this.#mayWrite = mayWrite;
  }

  /** The latest messages, oldest first. */
  list(): ChatMessage[] {
    return this.#log.list();
  }

  /**
   * Sends a message to everyone; the sender gets it in the ack. Sent again
   * with the same `clientId` (its ack was lost), it is answered with the
   * message already stored, and nothing is written, traced or broadcast.
   */
  send(actor: Actor, text: string, clientId?: string): Promise<ChatMessage> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      this.#mayWrite(p);
      const sentAt = s.now();
      const { message: stored, fresh } = await s.writers.storeChat({
        message: {
          id: newId('m'),
          spaceId: s.space,
          sessionId: s.id,
          authorId: p.id,
          authorName: p.name,
          text,
          sentAt,
          clientId: clientId ?? null,
        },
        payload: { session: s.id, text },
      });
      if (!fresh) return this.#already(stored);
      const message: ChatMessage = {
        messageId: stored.id,
        participantId: p.id,
        name: p.name,
        text,
        sentAt: sentAt.toISOString(),
      };
      this.#log.add(message);
      s.broadcast('chat.message', message, actor.socketId);
      return message;
    });
  }

  /** The answer to a resend: the message as stored, if it belongs to this session. */
  #already(stored: StoredChatMessage): ChatMessage {
    if (stored.sessionId !== this.#s.id)
      throw new PreauError('conflict', 'this client id names a message of another chat');
    const message: ChatMessage = {
      messageId: stored.id,
      participantId: stored.authorId,
      name: stored.authorName,
      text: stored.text,
      sentAt: stored.sentAt.toISOString(),
    };
    return stored.editedAt ? { ...message, editedAt: stored.editedAt.toISOString() } : message;
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

  /** Its author corrects a message, for everyone. */
  edit(actor: Actor, messageId: string, text: string): Promise<ChatMessage> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      this.#mayWrite(p);
      this.#refuseOthers(p.id, messageId, 'only its author corrects a message');
      const stored = await s.write(async (tx) => {
        const at = s.now();
        const row = await editChatMessage(tx, {
          sessionId: s.id,
          messageId,
          authorId: p.id,
          text,
          at,
        });
        if (!row) throw new PreauError('not_found', 'no such message of yours');
        await s.trace(tx, p.id, 'chat.edited', messageId, { session: s.id, text }, at);
        return row;
      });
      const message: ChatMessage = {
        messageId,
        participantId: stored.authorId,
        name: stored.authorName,
        text: stored.text,
        sentAt: stored.sentAt.toISOString(),
        editedAt: stored.editedAt?.toISOString() ?? null,
      };
      this.#log.replace(message);
      s.broadcast('chat.edited', message, actor.socketId);
      return message;
    });
  }

  /** A moderator deletes any message for everyone; anyone else only their own. */
  delete(actor: Actor, messageId: string): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      if (!p.moderator) this.#refuseOthers(p.id, messageId, 'teachers delete others’ messages');
      await s.write(async (tx) => {
        const at = s.now();
        const found = await markChatMessageDeleted(tx, {
          sessionId: s.id,
          messageId,
          by: p.id,
          at,
          ...(p.moderator ? {} : { authorId: p.id }),
        });
        if (!found) throw new PreauError('not_found', 'no such message');
        await s.trace(tx, p.id, 'chat.deleted', messageId, { session: s.id }, at);
      });
      this.#log.remove(messageId);
      s.broadcast('chat.deleted', { messageId });
    });
  }

  /** `forbidden` when the message, as this session remembers it, is someone else's. */
  #refuseOthers(participantId: string, messageId: string, why: string) {
    const known = this.#log.get(messageId);
    if (known && known.participantId !== participantId) throw new PreauError('forbidden', why);
  }
}
