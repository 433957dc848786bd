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

/**
 * The name every Redis connection of a classroom node carries (CLIENT SETNAME),
 * so that the others can tell a dead node (no connection left) from a slow one.
 */
export function redisConnectionName(node: string): string {
  return `preau-classroom:${node.replace(/[^\w.:-]/g, '_')}`;
}

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
  /** When each held lease was last set or renewed in Redis (ms, this process's clock). */
  readonly #renewedAt = new Map<string, number>();
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

  /** The current leases of several sessions, in one round trip. */
  async owners(sessionIds: readonly string[]): Promise<Map<string, Lease | null>> {
    const out = new Map<string, Lease | null>();
    if (sessionIds.length === 0) return out;
    const values = await this.#redis.mget(sessionIds.map((id) => KEY_PREFIX + id));
    sessionIds.forEach((id, i) => {
      out.set(id, decode(values[i] ?? null));
    });
    return out;
  }

  /**
   * The lease this node holds on the session when it is surely still its own:
   * set or renewed less than two thirds of its life ago, so that no other
   * node can have claimed it since (it must lapse first). Otherwise undefined,
   * and the caller asks Redis.
   */
  heldSurely(sessionId: string): Lease | undefined {
    const lease = this.#held.get(sessionId);
    const at = this.#renewedAt.get(sessionId);
    if (!lease || at === undefined) return undefined;
    return Date.now() - at < (this.#leaseMs * 2) / 3 ? lease : undefined;
  }

  /** Takes the session if no node holds it; the new lease, or null when another node was first. */
  async claim(sessionId: string): Promise<Lease | null> {
    const lease = { node: this.#node, epoch: randomUUID() };
    const asked = Date.now();
    const set = await this.#redis.set(
      KEY_PREFIX + sessionId,
      encode(lease),
      'PX',
      this.#leaseMs,
      'NX',
    );
    if (set !== 'OK') return null;
    this.#held.set(sessionId, lease);
    this.#renewedAt.set(sessionId, asked);
    return lease;
  }

  /**
   * Drops another node's lease on a session, if it is still that one: for a
   * holder whose process is gone (`nodeConnected` false), whose lease would
   * otherwise be waited out. Whether it was dropped.
   */
  async evict(sessionId: string, lease: Lease): Promise<boolean> {
    return (await this.#redis.eval(RELEASE, 1, KEY_PREFIX + sessionId, encode(lease))) === 1;
  }

  /**
   * Whether a node still has a connection to Redis (its connections are named
   * by `redisConnectionName`). A killed process loses them all at once; one
   * that merely stalls keeps them. When Redis refuses the question (CLIENT
   * LIST not allowed), the node is taken as connected: its lease is waited out.
   */
  async nodeConnected(node: string): Promise<boolean> {
    let list: unknown;
    try {
      list = await this.#redis.client('LIST');
    } catch {
      return true;
    }
    const name = `name=${redisConnectionName(node)} `;
    return typeof list !== 'string' || list.includes(name);
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
    this.#renewedAt.delete(sessionId);
    await this.#redis.eval(RELEASE, 1, KEY_PREFIX + sessionId, encode(lease));
  }

  /** Forgets a lease without touching Redis (it is lost already). */
  forget(sessionId: string): void {
    this.#held.delete(sessionId);
    this.#renewedAt.delete(sessionId);
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
      // All at once: the commands go out back to back on one connection and
      // their answers come back in order, one round trip for every lease held
      // (one after the other, a few hundred sessions took longer than a lease
      // lives on a loaded machine).
      const asked = Date.now();
      await Promise.all(
        [...this.#held].map(async ([sessionId, lease]) => {
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
            return;
          }
          if (this.#held.get(sessionId) !== lease) return;
          if (renewed === 1) {
            this.#renewedAt.set(sessionId, asked);
            return;
          }
          this.#held.delete(sessionId);
          this.#renewedAt.delete(sessionId);
          this.#onLost(sessionId);
        }),
      );
    } finally {
      this.#renewing = false;
    }
  }
}
