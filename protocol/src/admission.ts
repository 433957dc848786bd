// Admission control, as clients see it: how long to wait before trying a busy node again.

/** The longest a client waits between two attempts at a busy node. */
const MAX_BACKOFF_SECONDS = 60;

/**
 * How long to wait before attempt `attempt` (0 first) at a busy node: the
 * server's delay doubled at each attempt, capped, then spread by ±50 % so that
 * a class refused together does not come back together.
 */
export function busyBackoffSeconds(
  retryAfterSeconds: number,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(MAX_BACKOFF_SECONDS, Math.max(1, retryAfterSeconds) * 2 ** attempt);
  return Math.max(1, Math.round(base * (0.5 + random())));
}
