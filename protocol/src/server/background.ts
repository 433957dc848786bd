import type { Logger } from 'pino';

/** Runs a fire-and-forget promise, logging its failure instead of swallowing it. */
export function background(
  log: Logger,
  what: string,
  work: Promise<unknown> | (() => Promise<unknown>),
) {
  const promise = typeof work === 'function' ? work() : work;
  promise.catch((err: unknown) => log.error({ err, what }, 'background task failed'));
}
