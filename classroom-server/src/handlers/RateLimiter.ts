/** A token bucket: `capacity` events at once, refilled at `perSecond`. */
export interface RateRule {
  capacity: number;
  perSecond: number;
}

/** One token bucket per key (a socket and an event group), refilled lazily. */
export class RateLimiter {
  readonly #rules: Readonly<Record<string, RateRule>>;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #now: () => number;

  constructor(rules: Readonly<Record<string, RateRule>>, now: () => number = Date.now) {
    this.#rules = rules;
    this.#now = now;
  }

  /** Takes one token for `group`; false when the bucket is empty. */
  take(group: string): boolean {
    const rule = this.#rules[group];
    if (!rule) return true;
    const now = this.#now();
    const bucket = this.#buckets.get(group) ?? { tokens: rule.capacity, at: now };
    bucket.tokens = Math.min(
      rule.capacity,
      bucket.tokens + ((now - bucket.at) / 1000) * rule.perSecond,
    );
    bucket.at = now;
    this.#buckets.set(group, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
