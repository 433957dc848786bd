import { createHmac, randomBytes } from 'node:crypto';

/**
 * Who already answered a poll, to refuse a second answer. For a named poll
 * the ids themselves; for an anonymous one only HMACs of the ids under a
 * secret drawn for this poll and held in memory only: once the poll closes
 * (or the process stops) the secret is dropped and nothing left, stored or
 * in memory, ties an answer to a person.
 */
export class AnsweredSet {
  #secret: Buffer | null;
  readonly #keys = new Set<string>();

  constructor(readonly anonymous: boolean) {
    this.#secret = anonymous ? randomBytes(32) : null;
  }

  /** Whether this person answered. */
  has(personId: string): boolean {
    return this.#keys.has(this.#key(personId));
  }

  /** Marks this person as having answered. */
  add(personId: string): void {
    this.#keys.add(this.#key(personId));
  }

  /** The poll closed: an anonymous poll forgets its secret and its keys. */
  discard(): void {
    if (!this.anonymous) return;
    this.#secret = null;
    this.#keys.clear();
  }

  #key(personId: string): string {
    if (!this.anonymous) return personId;
    if (!this.#secret) return '';
    return createHmac('sha256', this.#secret).update(personId).digest('base64url');
  }
}
