/**
 * The chat messages a page sent that the server has not acknowledged yet.
 *
 * Each message gets its id (`clientId`) before it leaves; until its ack
 * comes back it is shown as "sending…" with its text, and it is sent again,
 * with the same id, in order, when the connection is back (the server stores
 * a message once per id, so a resend after a lost ack never doubles it). A
 * message the server refuses on purpose (too long, forbidden, muted, rate
 * limited after a few tries) stays shown as not sent, with a retry button:
 * nothing is dropped silently.
 */

import type { OutboxStore } from './outboxStore';

/** One message waiting for its ack, or refused. */
export interface OutboxEntry {
  readonly clientId: string;
  readonly text: string;
  /** `sending`: waiting for an ack (sent or to be sent); `failed`: refused, kept for a retry. */
  state: 'sending' | 'failed';
  /** Why it was refused (an error code). */
  error: string | null;
}

/** An error with the code the server (or the connection) gave. */
interface Coded {
  code?: string;
}

/** Codes meaning "no answer": the message may or may not be stored; send it again later. */
const TRANSIENT = new Set(['timeout', 'unavailable', 'offline']);

export interface OutboxOptions<M> {
  /** Sends one message with its id; resolves with the server's ack data, throws a coded error. */
  deliver: (clientId: string, text: string) => Promise<M>;
  /** An acknowledged message, to show in the conversation (the same ack a resend gets). */
  onAck: (message: M) => void;
  /** The entries changed (to redraw). */
  onChange: (entries: readonly OutboxEntry[]) => void;
  /** Whether sending makes sense now (connected and, for a live class, joined). */
  ready: () => boolean;
  /** Tries on `rate_limited` before the message is shown as not sent. */
  rateTries?: number;
  /** Wait before the first retry on `rate_limited` (doubled each time). */
  rateDelayMs?: number;
  /** Wait before trying again after a message got no answer (the socket may still be up). */
  retryMs?: number;
  /** Makes a fresh client id. */
  newId?: () => string;
  /**
   * Where the waiting messages are kept across a reload (see `outboxStore.ts`):
   * those found there are shown and sent again, same ids, at the next `resume`.
   */
  keep?: OutboxStore;
}

/** A URL-safe id of 22 characters (the protocol's `ClientMessageId`). */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = '';
  for (const b of bytes)
    out += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'[b & 63];
  return `c${out}`;
}

export class ChatOutbox<M> {
  readonly #o: OutboxOptions<M>;
  #entries: OutboxEntry[] = [];
  #draining = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: OutboxOptions<M>) {
    this.#o = options;
    const kept = options.keep?.load() ?? [];
    if (kept.length > 0) {
      this.#entries = kept;
      options.onChange(this.#entries);
    }
  }

  get entries(): readonly OutboxEntry[] {
    return this.#entries;
  }

  /** Queues a message and sends it when its turn comes; returns its client id. */
  send(text: string): string {
    const clientId = (this.#o.newId ?? newClientId)();
    this.#entries = [...this.#entries, { clientId, text, state: 'sending', error: null }];
    this.#changed();
    void this.resume();
    return clientId;
  }

  /** Sends a refused message again (same id). */
  retry(clientId: string) {
    this.#entries = this.#entries.map((e) =>
      e.clientId === clientId ? { ...e, state: 'sending', error: null } : e,
    );
    this.#changed();
    void this.resume();
  }

  /** Gives up a refused message (its author chose to). */
  discard(clientId: string) {
    this.#entries = this.#entries.filter((e) => e.clientId !== clientId || e.state !== 'failed');
    this.#changed();
  }

  /** Stops sending (the page leaves). */
  close() {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  /**
   * Sends what waits, oldest first, one at a time; call it again once the
   * connection is back (after rejoining). Stops at the first message without
   * an answer, so the order is kept.
   */
  async resume(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (;;) {
        if (this.#closed || !this.#o.ready()) return;
        const next = this.#entries.find((e) => e.state === 'sending');
        if (!next) return;
        const outcome = await this.#deliver(next);
        if (outcome === 'later') {
          // No answer: a reconnection calls `resume` again; meanwhile, try again in a while.
          clearTimeout(this.#timer);
          this.#timer = setTimeout(() => void this.resume(), this.#o.retryMs ?? 3000);
          return;
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  async #deliver(entry: OutboxEntry): Promise<'done' | 'later'> {
    const tries = this.#o.rateTries ?? 3;
    let wait = this.#o.rateDelayMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        const message = await this.#o.deliver(entry.clientId, entry.text);
        this.#entries = this.#entries.filter((e) => e.clientId !== entry.clientId);
        this.#o.onAck(message);
        this.#changed();
        return 'done';
      } catch (err) {
        const code = (err as Coded).code ?? 'internal';
        if (TRANSIENT.has(code)) return 'later';
        if (code === 'rate_limited' && attempt < tries) {
          await new Promise((r) => setTimeout(r, wait));
          wait *= 2;
          if (this.#closed) return 'later';
          continue;
        }
        this.#entries = this.#entries.map((e) =>
          e.clientId === entry.clientId ? { ...e, state: 'failed', error: code } : e,
        );
        this.#changed();
        return 'done';
      }
    }
  }

  #changed() {
    this.#o.keep?.save(this.#entries);
    this.#o.onChange(this.#entries);
  }
}
