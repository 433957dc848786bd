import { type ChatMessage, CLASSROOM_LIMITS, type HandView, PreauError } from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import type { SfuApi } from '@preau/sfu';
import {
  getSession,
  listAttendance,
  listHands,
  lowerHand,
  recentChatMessages,
  type Schema,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import type { RecordingDeps } from '../recording/SessionRecording';
import { LiveSession } from './LiveSession';
import type { SessionOutbox, SessionTimeouts } from './types';
import type { NodeWriters } from './writers';

/** What the registry needs to bring sessions to life. */
export interface SessionRegistryDeps {
  db: Kysely<Schema>;
  /** The node's writers (chat messages, hands: in batches). */
  writers: NodeWriters;
  sfu: SfuApi | null;
  /** Object storage and ffmpeg for recordings; without it sessions do not record. */
  recording?: RecordingDeps;
  log: Logger;
  timeouts: SessionTimeouts;
  /** The outbox of a session (its space: the space's chat hears the session's chat too). */
  outboxFor(sessionId: string, space: string): SessionOutbox;
  /** Told once a loaded session closed here (over, unloaded or abandoned). */
  onClosed?(sessionId: string): void;
}

/**
 * The live sessions this process serves, loaded from the database on first
 * use. Concurrent opens of one session share one promise; a session that
 * ends or is unloaded removes itself.
 */
export class SessionRegistry {
  readonly #deps: SessionRegistryDeps;
  readonly #sessions = new Map<string, Promise<LiveSession>>();
  /** The same sessions once loaded, to find them by space without waiting. */
  readonly #loaded = new Map<string, LiveSession>();
  #closed = false;

  constructor(deps: SessionRegistryDeps) {
    this.#deps = deps;
  }

  /** The session, loaded if needed; `not_found` or `session_ended` when it cannot be joined. */
  async open(sessionId: string): Promise<LiveSession> {
    if (this.#closed) throw new PreauError('unavailable', 'the server is stopping');
    let loading = this.#sessions.get(sessionId);
    if (!loading) {
      loading = this.#load(sessionId);
      this.#sessions.set(sessionId, loading);
      loading.catch(() => {
        if (this.#sessions.get(sessionId) === loading) this.#sessions.delete(sessionId);
      });
    }
    const session = await loading;
    if (session.isOver) throw new PreauError('session_ended');
    return session;
  }

  /** A session already loaded, if any (for tests and monitoring). */
  async loaded(sessionId: string): Promise<LiveSession | undefined> {
    return this.#sessions.get(sessionId)?.catch(() => undefined);
  }

  /** Whether this process holds the session (loaded or loading). */
  held(sessionId: string): boolean {
    return this.#sessions.has(sessionId);
  }

  /** The session if this process has it loaded now. */
  loadedNow(sessionId: string): LiveSession | undefined {
    return this.#loaded.get(sessionId);
  }

  /** The loaded sessions of one space. */
  inSpace(space: string): LiveSession[] {
    return [...this.#loaded.values()].filter((s) => s.space === space);
  }

  /** Every loaded session. */
  all(): LiveSession[] {
    return [...this.#loaded.values()];
  }

  /** How many sessions are loaded. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Closes every loaded session (server shutdown); idempotent. */
  async close() {
    this.#closed = true;
    const all = await Promise.allSettled([...this.#sessions.values()]);
    await Promise.all(all.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    this.#sessions.clear();
    this.#loaded.clear();
  }

  async #load(sessionId: string): Promise<LiveSession> {
    const { db, log } = this.#deps;
    const stored = await getSession(db, sessionId);
    if (!stored) throw new PreauError('not_found', 'no such session');
    if (stored.phase === 'ended') throw new PreauError('session_ended');
    // What a killed process held in memory comes back from the database: the
    // people it served (their stays are still open), their hands, who was removed.
    const stays = await listAttendance(db, sessionId);
    const returning = stays.filter((s) => !s.leftAt);
    const removed = stays.filter((s) => s.leaveReason === 'removed').map((s) => s.personId);
    const hands = await this.#handsOf(sessionId, new Set(returning.map((s) => s.personId)));
    const chat: ChatMessage[] = (
      await recentChatMessages(db, sessionId, CLASSROOM_LIMITS.chatHistory)
    ).map((m) => ({
      messageId: m.id,
      participantId: m.authorId,
      name: m.authorName,
      text: m.text,
      sentAt: m.sentAt.toISOString(),
      editedAt: m.editedAt?.toISOString() ?? null,
    }));
    const session: LiveSession = new LiveSession({
      stored,
      chat,
      hands,
      removed,
      returning,
      db,
      writers: this.#deps.writers,
      sfu: this.#deps.sfu,
      ...(this.#deps.recording ? { recording: this.#deps.recording } : {}),
      outbox: this.#deps.outboxFor(sessionId, stored.space),
      log: log.child({ sessionId, spaceId: stored.space }),
      timeouts: this.#deps.timeouts,
      onClosed: (s) => {
        if (this.#sessions.get(sessionId) === loaded) this.#sessions.delete(sessionId);
        if (this.#loaded.get(sessionId) === s) this.#loaded.delete(sessionId);
        log.info({ sessionId: s.id }, 'session closed');
        this.#deps.onClosed?.(s.id);
      },
    });
    const loaded = Promise.resolve(session);
    this.#sessions.set(sessionId, loaded);
    this.#loaded.set(sessionId, session);
    return session;
  }

  /** The hands still up of people coming back; any other (a stay closed since) is dropped. */
  async #handsOf(sessionId: string, returning: ReadonlySet<string>): Promise<HandView[]> {
    const stored = await listHands(this.#deps.db, sessionId);
    const stale = stored.filter((h) => !returning.has(h.personId));
    if (stale.length > 0) {
      await this.#deps.db.transaction().execute(async (tx) => {
        for (const h of stale) await lowerHand(tx, sessionId, h.personId);
      });
    }
    return stored
      .filter((h) => returning.has(h.personId))
      .map((h) => ({ participantId: h.personId, raisedAt: h.raisedAt.toISOString() }));
  }
}
