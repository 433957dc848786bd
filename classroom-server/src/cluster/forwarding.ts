import { randomUUID } from 'node:crypto';
import type { Logger } from '@preau/protocol/server';
import type { Redis } from 'ioredis';

const NODE_CHANNEL = 'preau:live:node:';
const ALL_CHANNEL = 'preau:live:all';

/** What a node's request came to: an answer, or nobody (no such node listening, or no answer in time). */
export type Delivery<A> =
  | { delivered: true; answer: A }
  | { delivered: false; reason: 'gone' | 'timeout' };

type Envelope =
  | { type: 'request'; id: string; from: string; body: unknown }
  | { type: 'answer'; id: string; body: unknown }
  | { type: 'notice'; from: string; body: unknown };

/** What a node does with what others send it. */
export interface LinkHandlers {
  /** A request from another node; what it resolves to is the answer. */
  request(from: string, body: unknown): Promise<unknown>;
  /** A one-way notice, to this node or to all. */
  notice(from: string, body: unknown): void;
}

/**
 * Request/response between classroom nodes over Redis Pub/Sub: each node
 * listens on a channel of its own and on one for all. A request to a node
 * nobody listens for fails at once (PUBLISH reaches no subscriber); one
 * without an answer in time fails after `timeoutMs`.
 */
export class NodeLink {
  readonly node: string;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #log: Logger;
  readonly #pending = new Map<string, (body: unknown) => void>();
  #handlers: LinkHandlers | null = null;

  constructor(deps: { redis: Redis; node: string; log: Logger }) {
    this.node = deps.node;
    this.#pub = deps.redis;
    this.#sub = deps.redis.duplicate();
    this.#log = deps.log;
    this.#sub.on('message', (_channel: string, text: string) => this.#receive(text));
  }

  /** Starts listening; resolves once subscribed. */
  async start(handlers: LinkHandlers): Promise<void> {
    this.#handlers = handlers;
    await this.#sub.subscribe(NODE_CHANNEL + this.node, ALL_CHANNEL);
  }

  /** Sends a request to one node and waits for its answer. */
  async request<A>(node: string, body: unknown, timeoutMs: number): Promise<Delivery<A>> {
    const id = randomUUID();
    const answered = new Promise<A>((resolve) => {
      this.#pending.set(id, resolve as (body: unknown) => void);
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const envelope: Envelope = { type: 'request', id, from: this.node, body };
      const receivers = await this.#pub.publish(NODE_CHANNEL + node, JSON.stringify(envelope));
      if (receivers === 0) return { delivered: false, reason: 'gone' };
      const late = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      });
      const answer = await Promise.race([answered.then((a) => ({ a })), late]);
      return answer
        ? { delivered: true, answer: answer.a }
        : { delivered: false, reason: 'timeout' };
    } finally {
      clearTimeout(timer);
      this.#pending.delete(id);
    }
  }

  /** Of these nodes, those nobody listens for any more (one Redis call). */
  async silent(nodes: readonly string[]): Promise<string[]> {
    if (nodes.length === 0) return [];
    const counts = (await this.#pub.pubsub(
      'NUMSUB',
      ...nodes.map((n) => NODE_CHANNEL + n),
    )) as Array<string | number>;
    const out: string[] = [];
    for (let i = 0; i < counts.length; i += 2) {
      if (Number(counts[i + 1]) === 0) out.push(String(counts[i]).slice(NODE_CHANNEL.length));
    }
    return out;
  }

  /** Sends a one-way notice to one node; whether it listens. */
  async tell(node: string, body: unknown): Promise<boolean> {
    const envelope: Envelope = { type: 'notice', from: this.node, body };
    return (await this.#pub.publish(NODE_CHANNEL + node, JSON.stringify(envelope))) > 0;
  }

  /** Sends a one-way notice to every node (this one included). */
  async broadcast(body: unknown): Promise<void> {
    const envelope: Envelope = { type: 'notice', from: this.node, body };
    await this.#pub.publish(ALL_CHANNEL, JSON.stringify(envelope));
  }

  /** Stops listening. */
  async close(): Promise<void> {
    for (const resolve of this.#pending.values()) resolve(null);
    this.#pending.clear();
    this.#sub.disconnect();
  }

  #receive(text: string) {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      this.#log.warn('unreadable message between classroom nodes');
      return;
    }
    const handlers = this.#handlers;
    if (!handlers) return;
    switch (envelope.type) {
      case 'answer':
        this.#pending.get(envelope.id)?.(envelope.body);
        return;
      case 'notice':
        handlers.notice(envelope.from, envelope.body);
        return;
      case 'request': {
        const { id, from } = envelope;
        handlers
          .request(from, envelope.body)
          .then((body) => {
            const answer: Envelope = { type: 'answer', id, body };
            return this.#pub.publish(NODE_CHANNEL + from, JSON.stringify(answer));
          })
          .catch((err: unknown) =>
            this.#log.error({ err }, 'answering another classroom node failed'),
          );
        return;
      }
    }
  }
}
