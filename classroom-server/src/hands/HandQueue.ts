import type { HandView } from '@preau/protocol';

/** Raised hands in the order they went up; raising twice keeps the first place. */
export class HandQueue {
  #hands: HandView[];

  /** Starts with the hands already up (kept across a restart), first raised first. */
  constructor(hands: readonly HandView[] = []) {
    this.#hands = hands.map((h) => ({ ...h }));
  }

  /** Raises a hand; false if it was already up. */
  raise(participantId: string, at: Date): boolean {
    if (this.has(participantId)) return false;
    this.#hands.push({ participantId, raisedAt: at.toISOString() });
    return true;
  }

  /** Lowers a hand; false if it was not up. */
  lower(participantId: string): boolean {
    const before = this.#hands.length;
    this.#hands = this.#hands.filter((h) => h.participantId !== participantId);
    return this.#hands.length !== before;
  }

  has(participantId: string): boolean {
    return this.#hands.some((h) => h.participantId === participantId);
  }

  /** The queue, first raised first. */
  list(): HandView[] {
    return this.#hands.map((h) => ({ ...h }));
  }
}
