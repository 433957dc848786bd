import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Who runs a live session now: a node, and the epoch of its lease (new at every claim). */
export interface Lease {
  node: string;
  epoch: string;
}

const KEY_PREFIX = 'preau:live:owner:';

// Renews or drops a lease only while it still names us: a lapsed lease taken by
// another node is never extended nor deleted by the node that lost it.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

function encode(lease: Lease): string {
  return `${lease.node} ${lease.epoch}`;
}

function decode(value: string | null): Lease | null {
  if (!value) return null;
  const space = value.indexOf(' ');
  if (space <= 0) return null;
  return { node: value.slice(0, space), epoch: value.slice(space + 1) };
}

/**
 * One owner per live session at a time: a Redis key set with `SET NX PX`,
 * renewed by its node every third of its lifetime. When the node dies the key
 * lapses within `leaseMs` and another node may claim the session.
 */
export class SessionLeases {
  readonly #redis: Redis;
  readonly #node: string;
  readonly #leaseMs: number;
  /** The leases this node holds, by session. */
  readonly #held = new Map<string, Lease>();
  readonly #onLost: (sessionId: string) => void;
  readonly #timer: NodeJS.Timeout;
  #renewing = false;

  constructor(deps: {
    redis: Redis;
    node: string;
    leaseMs: number;
    /** A lease could not be renewed (Redis unreachable past its life, or taken): the session must stop here. */
    onLost: (sessionId: string) => void;
  }) {
    this.#redis = deps.redis;
    this.#node = deps.node;
    this.#leaseMs = deps.leaseMs;
    this.#onLost = deps.onLost;
    this.#timer = setInterval(() => void this.#renewAll(), Math.max(100, deps.leaseMs / 3));
    this.#timer.unref();
  }

  /** The session's current lease, if any node holds one. */
  async owner(sessionId: string): Promise<Lease | null> {
    return decode(await this.#redis.get(KEY_PREFIX + sessionId));
  }

  /** Takes the session if no node holds it; the new lease, or null when another node was first. */
  async claim(sessionId: string): Promise<Lease | null> {
    const lease = { node: this.#node, epoch: randomUUID() };
    const set = await this.#redis.set(
      KEY_PREFIX + sessionId,
      encode(lease),
      'PX',
      this.#leaseMs,
      'NX',
    );
    if (set !== 'OK') return null;
    this.#held.set(sessionId, lease);
    return lease;
  }

  /** The lease this node holds on the session, if any. */
  held(sessionId: string): Lease | undefined {
    return this.#held.get(sessionId);
  }

  /** Gives the session up (it closed here); a lease already taken by another node is left alone. */
  async release(sessionId: string): Promise<void> {
    const lease = this.#held.get(sessionId);
    if (!lease) return;
    this.#held.delete(sessionId);
    await this.#redis.eval(RELEASE, 1, KEY_PREFIX + sessionId, encode(lease));
  }

  /** Forgets a lease without touching Redis (it is lost already). */
  forget(sessionId: string): void {
    this.#held.delete(sessionId);
  }

  /** Stops renewing; the leases still held are released so others take over at once. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#held.keys()].map((id) => this.release(id)));
  }

  async #renewAll() {
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      for (const [sessionId, lease] of [...this.#held]) {
        let renewed: unknown;
        try {
          renewed = await this.#redis.eval(
            RENEW,
            1,
            KEY_PREFIX + sessionId,
            encode(lease),
            this.#leaseMs,
          );
        } catch {
          // Redis unreachable: the next round tries again while the lease may still run.
          continue;
        }
        if (renewed !== 1 && this.#held.get(sessionId) === lease) {
          this.#held.delete(sessionId);
          this.#onLost(sessionId);
        }
      }
    } finally {
      this.#renewing = false;
    }
  }
}
