import { Redis } from 'ioredis';

/** Handler of messages published on a channel. */
export type FanoutHandler = (message: string) => void;

/**
 * Cross-node fan-out of small messages (revocations, membership changes).
 * In memory on one node; on Redis when several nodes share the work.
 */
export interface Fanout {
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes; resolves once the subscription is active; returns an unsubscribe function. */
  subscribe(channel: string, handler: FanoutHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Fan-out within one process. */
export class MemoryFanout implements Fanout {
  #handlers = new Map<string, Set<FanoutHandler>>();

  async publish(channel: string, message: string) {
    for (const handler of this.#handlers.get(channel) ?? []) queueMicrotask(() => handler(message));
  }

  async subscribe(channel: string, handler: FanoutHandler) {
    const set = this.#handlers.get(channel) ?? new Set<FanoutHandler>();
    this.#handlers.set(channel, set);
    set.add(handler);
    return async () => {
      set.delete(handler);
    };
  }

  async close() {
    this.#handlers.clear();
  }
}

/** Fan-out across nodes through Redis pub/sub (one publishing and one subscribing connection). */
export class RedisFanout implements Fanout {
  readonly #pub: Redis;
  readonly #sub: Redis;
  #handlers = new Map<string, Set<FanoutHandler>>();

  constructor(url: string) {
    this.#pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.#sub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.#sub.on('message', (channel: string, message: string) => {
      for (const handler of this.#handlers.get(channel) ?? []) handler(message);
    });
  }

  async publish(channel: string, message: string) {
    await this.#pub.publish(channel, message);
  }

  async subscribe(channel: string, handler: FanoutHandler) {
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
      await this.#sub.subscribe(channel);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0) {
        this.#handlers.delete(channel);
        await this.#sub.unsubscribe(channel);
      }
    };
  }

  async close() {
    this.#sub.disconnect();
    this.#pub.disconnect();
  }
}
