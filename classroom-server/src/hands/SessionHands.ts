import type { HandView } from '@preau/protocol';
import type { SessionContext } from '../session/SessionContext';
import type { Actor } from '../session/types';
import { HandQueue } from './HandQueue';

/** A session's raised hands: anyone raises or lowers their own; a moderator lowers anyone's. */
export class SessionHands {
  readonly #s: SessionContext;
  readonly #queue = new HandQueue();

  constructor(session: SessionContext) {
    this.#s = session;
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
      if (this.#queue.raise(p.id, s.now())) this.#announce();
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
      if (this.#queue.lower(whose)) this.#announce();
    });
  }

  /** Drops a departed participant's hand (called by the session, inside its queue). */
  forget(participantId: string) {
    if (this.#queue.lower(participantId)) this.#announce();
  }

  #announce() {
    this.#s.broadcast('hands.updated', { hands: this.#queue.list() });
  }
}
