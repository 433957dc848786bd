import { TokenBucket } from 'limiter';

export type { TokenBucket } from 'limiter';

/**
 * A token bucket of `size` tokens refilled at `perSecond`, starting full (the
 * library's start empty): a new connection may use its burst at once.
 */
export function fullBucket(size: number, perSecond: number): TokenBucket {
  const bucket = new TokenBucket({
    bucketSize: size,
    tokensPerInterval: perSecond,
    interval: 'second',
  });
  bucket.content = size;
  return bucket;
}
