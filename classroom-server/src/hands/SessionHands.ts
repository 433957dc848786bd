import type { HandView } from '@preau/protocol';
import { lowerHand } from '@preau/storage';
import type { SessionContext } from '../session/SessionContext';
import type { Actor } from '../session/types';
import { HandQueue } from './HandQueue';

/** A session's raised hands: anyone raises or lowers their own; a moderator lowers anyone's. */
export class SessionHands {
  readonly #s: SessionContext;
  readonly #queue: HandQueue;

  /** `hands`: those up when the session was loaded (stored, so a restart keeps them). */
  constructor(session: SessionContext, hands: readonly HandView[] = []) {
    this.#s = session;
    this.#queue = new HandQueue(hands);
  }

  /** The queue, first raised first. */
  list(): HandView[] {
    return this.#queue.list();
  }

  /** Raises the actor's hand (it keeps its place if already up). */
  raise(actor: Actor): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      if (this.#queue.has(p.id)) return;
      const at = s.now();
      // No transaction around it: written with the node's other hands (one statement).
      await s.writers.changeHand({ op: 'raise', sessionId: s.id, personId: p.id, at });
      if (this.#queue.raise(p.id, at)) this.#announce();
    });
  }

  /** Lowers one's own hand, or (a moderator) someone else's, which is traced. */
  lower(actor: Actor, target?: string): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      const whose = target ?? p.id;
      if (whose !== p.id) {
        s.requireModerator(actor);
        if (!this.#queue.has(whose)) return;
        await s.moderationTrace(p.id, 'lower_hand', whose);
      }
      if (!this.#queue.has(whose)) return;
      await s.writers.changeHand({ op: 'lower', sessionId: s.id, personId: whose });
      if (this.#queue.lower(whose)) this.#announce();
    });
  }

  /** Lowers every hand, stored ones included (a moderator's act, traced by the caller, inside the session's queue). */
  async lowerAll(): Promise<void> {
    const s = this.#s;
    const up = this.#queue.list().map((h) => h.participantId);
    if (up.length === 0) return;
    await s.write(async (tx) => {
      for (const id of up) await lowerHand(tx, s.id, id);
    });
    for (const id of up) this.#queue.lower(id);
    this.#announce();
  }

  /** Drops a departed participant's hand (called by the session, inside its queue, once stored). */
  forget(participantId: string) {
    if (this.#queue.lower(participantId)) this.#announce();
  }

  #announce() {
    this.#s.broadcast('hands.updated', { hands: this.#queue.list() });
  }
}
