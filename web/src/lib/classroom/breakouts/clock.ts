import { BREAKOUT_LIMITS } from '@preau/protocol';

/** The breakout timer as shown: time left as m:ss, and whether the end is near enough to warn. */
export function breakoutClock(endsAt: string, now: number): { text: string; warn: boolean } {
  const left = Math.max(0, Date.parse(endsAt) - now);
  const seconds = Math.ceil(left / 1000);
  return {
    text: `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`,
    warn: left > 0 && left <= BREAKOUT_LIMITS.warnBeforeMs,
  };
}
