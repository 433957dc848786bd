import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { env, readConfig } from './config';

/** Where every node answers its balancer's health check. */
export const HEALTH_PATH = '/healthz';

/** A node's life as the balancer sees it: serving, then draining once asked to stop. */
export type NodeState = 'serving' | 'draining';

/**
 * How long a node drains, read once from the environment: it keeps serving
 * at least `noticeMs` (the balancer's health checks see it draining and stop
 * sending new work), then until its live connections are gone, at most
 * `timeoutMs` (the rest reconnect to another node).
 */
export function readDrainConfig(source: Record<string, string | undefined> = process.env) {
  const config = readConfig(
    {
      // The balancer checks every second and gives up after two failures: 3 s covers it.
      DRAIN_NOTICE_SECONDS: z.coerce.number().min(0).default(3),
      // A page load or an upload ends within this; live sockets still open then reconnect elsewhere.
      DRAIN_TIMEOUT_SECONDS: env.int(30),
    },
    source,
  );
  return Object.freeze({
    noticeMs: config.DRAIN_NOTICE_SECONDS * 1000,
    timeoutMs: Math.max(config.DRAIN_TIMEOUT_SECONDS, config.DRAIN_NOTICE_SECONDS) * 1000,
  });
}

/** How long a node drains (see `readDrainConfig`). */
export type DrainConfig = ReturnType<typeof readDrainConfig>;

/**
 * A node's health: `GET /healthz` answers 200 while it serves and 503 once
 * it drains, with its kind, state and a few counters (no ids, no secrets).
 */
export class NodeHealth {
  readonly kind: string;
  #state: NodeState = 'serving';
  readonly #details: () => Record<string, number>;

  constructor(kind: string, details: () => Record<string, number> = () => ({})) {
    this.kind = kind;
    this.#details = details;
  }

  /** Serving or draining. */
  get state(): NodeState {
    return this.#state;
  }

  /** From now on the health check says 503: the balancer sends no new work here. */
  drain(): void {
    this.#state = 'draining';
  }

  /** Answers the health check; false for any other request (the caller serves it). */
  answer(req: IncomingMessage, res: ServerResponse): boolean {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== HEALTH_PATH) return false;
    const body = JSON.stringify({ kind: this.kind, state: this.#state, ...this.#details() });
    res.writeHead(this.#state === 'serving' ? 200 : 503, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /**
   * Drains: marks the node draining, keeps serving `noticeMs`, then waits
   * until `busy()` (live connections, requests in flight) is 0 or
   * `timeoutMs` has passed since the start.
   */
  async drainConnections(busy: () => number, config: DrainConfig): Promise<void> {
    this.drain();
    const started = Date.now();
    await sleep(config.noticeMs);
    while (busy() > 0 && Date.now() - started < config.timeoutMs) await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
