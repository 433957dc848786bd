/**
 * A token bucket for one connection: `rate` tokens a second, up to `burst`.
 * Messages and bytes each take from their own bucket.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes `cost` tokens; false (and nothing taken) when the bucket cannot cover it. */
  take(cost = 1): boolean {
    const t = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) / 1000) * this.rate);
    this.#last = t;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}

/** The limits of one connection: message count and bytes, both rated. */
export class ConnectionLimits {
  readonly #messages: TokenBucket;
  readonly #bytes: TokenBucket;

  constructor(
    readonly limits: {
      maxMessageBytes: number;
      messagesPerSecond: number;
      messageBurst: number;
      bytesPerSecond: number;
    },
    now?: () => number,
  ) {
    this.#messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, now);
    // A full-size message must always fit in the byte bucket's burst.
    this.#bytes = new TokenBucket(
      limits.bytesPerSecond,
      Math.max(limits.bytesPerSecond * 4, limits.maxMessageBytes),
      now,
    );
  }

  /** Why a message of `bytes` must be refused, or null when it may pass. */
  check(bytes: number): 'tooLarge' | 'rateLimited' | null {
    if (bytes > this.limits.maxMessageBytes) return 'tooLarge';
    if (!this.#messages.take(1) || !this.#bytes.take(bytes)) return 'rateLimited';
    return null;
  }
}
