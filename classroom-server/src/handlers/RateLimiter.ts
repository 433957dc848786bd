import { fullBucket, type TokenBucket } from '@preau/protocol/server';

/** A token bucket: `capacity` events at once, refilled at `perSecond`. */
export interface RateRule {
  capacity: number;
  perSecond: number;
}

/** One token bucket per event group of a socket, made on first use. */
export class RateLimiter {
  readonly #rules: Readonly<Record<string, RateRule>>;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(rules: Readonly<Record<string, RateRule>>) {
    this.#rules = rules;
  }

  /** Takes one token for `group`; false when the bucket is empty. */
  take(group: string): boolean {
    const rule = this.#rules[group];
    if (!rule) return true;
    let bucket = this.#buckets.get(group);
    if (!bucket) {
      bucket = fullBucket(rule.capacity, rule.perSecond);
      this.#buckets.set(group, bucket);
    }
    return bucket.tryRemoveTokens(1);
  }
}
