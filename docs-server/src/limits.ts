import { fullBucket, type TokenBucket } from '@preau/protocol/server';

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
  ) {
    this.#messages = fullBucket(limits.messageBurst, limits.messagesPerSecond);
    // A full-size message must always fit in the byte bucket's burst.
    this.#bytes = fullBucket(
      Math.max(limits.bytesPerSecond * 4, limits.maxMessageBytes),
      limits.bytesPerSecond,
    );
  }

  /** Why a message of `bytes` must be refused, or null when it may pass. */
  check(bytes: number): 'tooLarge' | 'rateLimited' | null {
    if (bytes > this.limits.maxMessageBytes) return 'tooLarge';
    if (!this.#messages.tryRemoveTokens(1) || !this.#bytes.tryRemoveTokens(bytes))
      return 'rateLimited';
    return null;
  }
}
