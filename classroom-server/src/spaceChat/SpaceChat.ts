import {
  NOTIFY_CHANNEL,
  type Notification,
  PreauError,
  type Right,
  SPACE_CHAT_LIMITS,
  type SpaceChatMessage,
} from '@preau/protocol';
import { background, type Logger } from '@preau/protocol/server';
import {
  editChatMessage,
  type Fanout,
  findSpaceMessage,
  markChatMessageDeleted,
  markSpaceChatRead,
  memberRows,
  recordTrace,
  type Schema,
  type StoredChatMessage,
  spaceChatReadAt,
  spaceFacts,
  spaceMessages,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import { newId } from '../session/ids';
import type { NodeWriters } from '../session/writers';

/** Who acts on a space's chat through one socket. */
export interface ChatActor {
  readonly participantId: string;
  readonly name: string;
  readonly space: string;
  readonly rights: readonly Right[];
  readonly socketId: string;
}

/** Where the chat's events go: everyone connected to a space's chat. */
export interface SpaceChatOutbox {
  toSpace(
    space: string,
    event: 'chat.message' | 'chat.edited',
    payload: SpaceChatMessage,
    exceptSocket?: string,
  ): void;
  toSpace(space: string, event: 'chat.deleted', payload: { messageId: string }): void;
}

/** A stored message as the wire carries it. */
export function toWire(m: StoredChatMessage): SpaceChatMessage {
  return {
    messageId: m.id,
    participantId: m.authorId,
    name: m.authorName,
    text: m.text,
    sentAt: m.sentAt.toISOString(),
    editedAt: m.editedAt?.toISOString() ?? null,
    mentions: m.mentions ?? [],
    sessionId: m.sessionId,
  };
}

/**
 * A space's chat, outside any live session: history, send, correct and
 * delete one's own (moderators any), mentions and a read marker. Every act
 * is written with its trace record in one transaction; events and mention
 * notifications go out after it committed. The space's state is read at
 * each write, so a suspension or an archive stops writing at once.
 */
export class SpaceChat {
  readonly #db: Kysely<Schema>;
  readonly #writers: NodeWriters;
  readonly #outbox: SpaceChatOutbox;
  readonly #fanout: Fanout | undefined;
  readonly #log: Logger;
  readonly #now: () => Date;

  constructor(deps: {
    db: Kysely<Schema>;
    /** The node's writers (chat messages, hands: in batches). */
    writers: NodeWriters;
    outbox: SpaceChatOutbox;
    fanout?: Fanout;
    log: Logger;
    now?: () => Date;
  }) {
    this.#db = deps.db;
    this.#writers = deps.writers;
    this.#outbox = deps.outbox;
    this.#fanout = deps.fanout;
    this.#log = deps.log;
    this.#now = deps.now ?? (() => new Date());
  }

  /** A page of history, newest last, and the person's read marker. */
  async history(actor: ChatActor, before?: string) {
    let cursor: { sentAt: Date; id: string } | undefined;
    if (before) {
      const from = await findSpaceMessage(this.#db, actor.space, before);
      if (!from) throw new PreauError('not_found', 'no such message');
      cursor = { sentAt: from.sentAt, id: from.id };
    }
    const page = await spaceMessages(this.#db, actor.space, {
      limit: SPACE_CHAT_LIMITS.pageSize + 1,
      ...(cursor ? { before: cursor } : {}),
    });
    const more = page.length > SPACE_CHAT_LIMITS.pageSize;
    const readAt = await spaceChatReadAt(this.#db, actor.space, actor.participantId);
    return {
      messages: (more ? page.slice(1) : page).map(toWire),
      more,
      readAt: readAt?.toISOString() ?? null,
    };
  }

  /**
   * Sends a message to everyone in the space's chat; mentioned members are
   * notified. Sent again with the same `clientId` (its ack was lost), it is
   * answered with the message already stored, and nothing is written,
   * traced, broadcast or notified.
   */
  async send(
    actor: ChatActor,
    text: string,
    mentions: readonly string[],
    clientId?: string,
  ): Promise<SpaceChatMessage> {
    const spaceName = await this.#requireWritable(actor);
    const named = await this.#members(actor.space, mentions);
    const { message: stored, fresh } = await this.#writers.storeChat({
      message: {
        id: newId('m'),
        spaceId: actor.space,
        sessionId: null,
        authorId: actor.participantId,
        authorName: actor.name,
        text,
        sentAt: this.#now(),
        editedAt: null,
        mentions: named,
        clientId: clientId ?? null,
      },
      payload: { text, mentions: named },
    });
    if (!fresh) {
      if (stored.sessionId !== null)
        throw new PreauError('conflict', 'this client id names a message of a live class');
      return toWire(stored);
    }
    const message = toWire(stored);
    this.#outbox.toSpace(actor.space, 'chat.message', message, actor.socketId);
    this.#mention(actor, spaceName, message, named);
    return message;
  }

  /** Its author corrects a message; people newly mentioned are notified. */
  async edit(
    actor: ChatActor,
    messageId: string,
    text: string,
    mentions: readonly string[],
  ): Promise<SpaceChatMessage> {
    const spaceName = await this.#requireWritable(actor);
    const before = await findSpaceMessage(this.#db, actor.space, messageId);
    if (!before) throw new PreauError('not_found', 'no such message');
    if (before.authorId !== actor.participantId)
      throw new PreauError('forbidden', 'only its author corrects a message');
    const named = await this.#members(actor.space, mentions);
    const at = this.#now();
    const stored = await this.#db.transaction().execute(async (tx) => {
      const row = await editChatMessage(tx, {
        spaceId: actor.space,
        messageId,
        authorId: actor.participantId,
        text,
        mentions: named,
        at,
      });
      if (!row) throw new PreauError('not_found', 'no such message of yours');
      await recordTrace(tx, {
        actor: actor.participantId,
        kind: 'chat.edited',
        space: actor.space,
        subject: messageId,
        at,
        payload: { text, mentions: named },
      });
      return row;
    });
    const message = toWire(stored);
    this.#outbox.toSpace(actor.space, 'chat.edited', message, actor.socketId);
    const already = new Set(before.mentions ?? []);
    this.#mention(
      actor,
      spaceName,
      message,
      named.filter((p) => !already.has(p)),
    );
    return message;
  }

  /** An author deletes their own message; a moderator any. */
  async delete(actor: ChatActor, messageId: string): Promise<void> {
    const moderator = actor.rights.includes('moderate');
    const at = this.#now();
    await this.#db.transaction().execute(async (tx) => {
      if (!moderator) {
        const found = await findSpaceMessage(tx, actor.space, messageId);
        if (found && found.authorId !== actor.participantId)
          throw new PreauError('forbidden', 'moderators delete others’ messages');
      }
      const done = await markChatMessageDeleted(tx, {
        spaceId: actor.space,
        messageId,
        by: actor.participantId,
        at,
        ...(moderator ? {} : { authorId: actor.participantId }),
      });
      if (!done) throw new PreauError('not_found', 'no such message');
      await recordTrace(tx, {
        actor: actor.participantId,
        kind: 'chat.deleted',
        space: actor.space,
        subject: messageId,
        at,
        payload: {},
      });
    });
    this.#outbox.toSpace(actor.space, 'chat.deleted', { messageId });
  }

  /** Moves the person's read marker up to a message (never back). */
  async read(actor: ChatActor, messageId: string): Promise<void> {
    const message = await findSpaceMessage(this.#db, actor.space, messageId);
    if (!message) throw new PreauError('not_found', 'no such message');
    await markSpaceChatRead(this.#db, actor.space, actor.participantId, message.sentAt);
  }

  /** The space's name, or `forbidden` when it is suspended or archived (read-only). */
  async #requireWritable(actor: ChatActor): Promise<string> {
    const facts = (await spaceFacts(this.#db, actor.participantId, [actor.space])).get(actor.space);
    if (!facts) throw new PreauError('not_found', 'unknown space');
    if (facts.state !== 'active') throw new PreauError('forbidden', 'this space is read-only');
    return facts.name;
  }

  /** The mentioned people who are members of the space, once each, in order. */
  async #members(space: string, mentions: readonly string[]): Promise<string[]> {
    if (mentions.length === 0) return [];
    const members = new Set((await memberRows(this.#db, space)).map((m) => m.personId));
    return [...new Set(mentions)].filter((p) => members.has(p));
  }

  #mention(actor: ChatActor, spaceName: string, message: SpaceChatMessage, to: readonly string[]) {
    const fanout = this.#fanout;
    if (!fanout) return;
    for (const person of to) {
      if (person === actor.participantId) continue;
      const n: Notification = {
        type: 'mention',
        to: person,
        spaceId: actor.space,
        spaceName,
        messageId: message.messageId,
        authorName: actor.name,
        excerpt: message.text.slice(0, 200),
      };
      background(this.#log, 'mention', fanout.publish(NOTIFY_CHANNEL, JSON.stringify(n)));
    }
  }
}
