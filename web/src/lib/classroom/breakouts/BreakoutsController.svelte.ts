import {
  type BreakoutChatMessage,
  type BreakoutCloseReason,
  type BreakoutSplit,
  type BreakoutState,
  breakoutRoomOf,
  type OpenBreakoutsRequest,
  type ServerEvent,
} from '@preau/protocol';
import { ChatOutbox, type OutboxEntry } from '../../chat/outbox';
import type { OutboxStore } from '../../chat/outboxStore';
import { type LiveConnection, LiveRequestError } from '../connection';

/** A teacher's message to every room, as shown. */
export type BreakoutNotice = ServerEvent<'breakout.message'>;

/**
 * Breakout rooms as the page sees them: the state the server announces, the
 * chat of the room we are in, the teacher's messages, and the actions. Which
 * room we are in decides whose media we receive: `sees` is what the live
 * room asks before it subscribes, and `onMove` tells it to follow a change.
 */
export class BreakoutsController {
  state = $state<BreakoutState | null>(null);
  chat = $state<BreakoutChatMessage[]>([]);
  notices = $state<BreakoutNotice[]>([]);
  lastSplit = $state<BreakoutSplit | null>(null);
  /** Why the rooms last closed (shown once everyone is back), if they did. */
  closed = $state<BreakoutCloseReason | null>(null);
  lastError = $state<string | null>(null);
  /** Our room messages not acknowledged yet ("sending…"), or refused (with a retry). */
  outbox = $state<readonly OutboxEntry[]>([]);

  readonly #conn: LiveConnection;
  readonly #me: () => string;
  readonly #onMove: () => void;
  readonly #chatOutbox: ChatOutbox<BreakoutChatMessage>;

  constructor(
    conn: LiveConnection,
    opts: {
      me: () => string;
      onMove: () => void;
      joined: () => boolean;
      /** Where our unacknowledged room messages are kept across a reload. */
      keep?: OutboxStore;
    },
  ) {
    this.#conn = conn;
    this.#me = opts.me;
    this.#onMove = opts.onMove;
    this.#chatOutbox = new ChatOutbox({
      deliver: (clientId, text) => conn.request('breakout.chat.send', { text, clientId }),
      onAck: (message) => this.#addChat(message),
      onChange: (entries) => {
        this.outbox = entries;
      },
      ready: () => opts.joined() && conn.connected,
      keep: opts.keep,
    });
    conn.on('breakout.updated', ({ state, closed }) => this.#apply(state, closed ?? null));
    conn.on('breakout.chat', (m) => this.#addChat(m));
    conn.on('breakout.message', (m) => {
      this.notices = [...this.notices, m].slice(-5);
    });
  }

  /** The room we are in (0: the main room). */
  get room(): number {
    return breakoutRoomOf(this.state, this.#me());
  }

  /** Whether we receive someone's media: the same room as ours. */
  sees(participantId: string): boolean {
    return breakoutRoomOf(this.state, participantId) === this.room;
  }

  /** The room someone is in (0: the main room). */
  roomOf(participantId: string): number {
    return breakoutRoomOf(this.state, participantId);
  }

  /** Reads the state after every (re)join. */
  async load() {
    const answer = await this.#conn.request('breakout.state', {});
    this.lastSplit = answer.lastSplit;
    this.#apply(answer.state, null, answer.chat);
    // Back in the room: what we wrote without an answer goes again, with its ids.
    void this.#chatOutbox.resume();
  }

  async open(req: OpenBreakoutsRequest) {
    await this.#act(async () => {
      const state = await this.#conn.request('breakout.open', req);
      this.#apply(state, null);
    });
  }

  assign = (participantId: string, room: number | null) =>
    this.#act(() => this.#conn.request('breakout.assign', { participantId, room }));
  choose = (room: number) => this.#act(() => this.#conn.request('breakout.choose', { room }));
  extend = (minutes: number) => this.#act(() => this.#conn.request('breakout.extend', { minutes }));
  broadcast = (text: string) => this.#act(() => this.#conn.request('breakout.broadcast', { text }));
  visit = (room: number | null) => this.#act(() => this.#conn.request('breakout.visit', { room }));

  /** Calls everyone back; the last split is then the one just closed. */
  async close() {
    const rooms = this.state?.rooms.map((r) => [...r.members]);
    await this.#act(() => this.#conn.request('breakout.close', {}));
    if (rooms) this.lastSplit = { rooms };
  }

  /** Queues a room message: "sending…" until acknowledged, sent again with its id after a reconnection. */
  async sendChat(text: string) {
    this.#chatOutbox.send(text);
  }

  retryChat = (clientId: string) => this.#chatOutbox.retry(clientId);
  discardChat = (clientId: string) => this.#chatOutbox.discard(clientId);

  /** Stops sending (the page goes away). */
  dispose() {
    this.#chatOutbox.close();
  }

  async #act(work: () => Promise<unknown>) {
    try {
      await work();
      this.lastError = null;
    } catch (err) {
      this.lastError = err instanceof LiveRequestError ? err.code : 'internal';
      throw err;
    }
  }

  #apply(
    state: BreakoutState | null,
    closed: BreakoutCloseReason | null,
    chat?: BreakoutChatMessage[],
  ) {
    const before = this.room;
    this.state = state;
    if (state) this.closed = null;
    else if (closed) this.closed = closed;
    if (!state) this.notices = [];
    const after = this.room;
    if (chat) this.chat = chat;
    else if (after !== before) this.chat = [];
    // Anyone moving changes whom we may receive, not only our own move.
    this.#onMove();
    // Entering a room by a visit: what was said there comes with the state.
    if (after !== before && after !== 0 && !chat) {
      this.#conn
        .request('breakout.state', {})
        .then((answer) => {
          for (const m of answer.chat) this.#addChat(m);
        })
        .catch((err: unknown) => console.warn('breakouts: reading the room failed', err));
    }
  }

  #addChat(message: BreakoutChatMessage) {
    if (message.room !== this.room) return;
    if (this.chat.some((m) => m.messageId === message.messageId)) return;
    this.chat = [...this.chat, message].sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  }
}
