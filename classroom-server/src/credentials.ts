import { PreauError } from '@preau/protocol';
import type { CapabilityVerifier, VerifiedClaims } from '@preau/protocol/server';

/** What renewing a socket's token changed. */
export interface Renewal {
  expiresAt: Date;
  /** The new token grants other rights: the socket must rejoin to take them. */
  rightsChanged: boolean;
}

/**
 * The capability a socket holds: a token lives minutes, a class an hour, so
 * the client renews it on the open socket; a socket whose token lapses
 * (plus a grace for the renewal in flight) is put out by `onLapse`.
 */
export class SocketCredentials {
  #claims: VerifiedClaims;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  constructor(
    claims: VerifiedClaims,
    private readonly deps: {
      verify: CapabilityVerifier;
      sessionId: string;
      graceMs: number;
      onLapse: () => void;
    },
  ) {
    this.#claims = claims;
    this.#arm();
  }

  get expiresAt(): Date {
    return new Date(this.#claims.exp * 1000);
  }

  /** Checks a fresh token for the same person, space and session, and takes its expiry. */
  async renew(token: string): Promise<Renewal> {
    const next = await this.deps.verify(token);
    const current = this.#claims;
    if (next.sub !== current.sub)
      throw new PreauError('forbidden', 'the token is for someone else');
    if (next.space !== current.space)
      throw new PreauError('forbidden', 'the token is for another space');
    if (next.session !== undefined && next.session !== this.deps.sessionId) {
      throw new PreauError('forbidden', 'the token is for another session');
    }
    if (!next.rights.includes('read')) throw new PreauError('forbidden', 'no right to attend');
    const rightsChanged =
      next.rights.length !== current.rights.length ||
      next.rights.some((r) => !current.rights.includes(r));
    if (next.exp > current.exp) {
      this.#claims = next;
      this.#arm();
    }
    return { expiresAt: this.expiresAt, rightsChanged };
  }

  /** Stops watching (the socket closed). */
  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
  }

  #arm() {
    if (this.#disposed) return;
    clearTimeout(this.#timer);
    const delay = Math.max(0, this.#claims.exp * 1000 - Date.now() + this.deps.graceMs);
    this.#timer = setTimeout(() => {
      if (!this.#disposed) this.deps.onLapse();
    }, delay);
    this.#timer.unref?.();
  }
}
