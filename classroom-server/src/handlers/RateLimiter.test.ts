import { describe, expect, it } from 'vitest';
import { RateLimiter } from './RateLimiter';

describe('RateLimiter', () => {
  it('allows a burst up to capacity, then refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter({ chat: { capacity: 3, perSecond: 1 } }, () => now);
    expect([limiter.take('chat'), limiter.take('chat'), limiter.take('chat')]).toEqual([
      true,
      true,
      true,
    ]);
    expect(limiter.take('chat')).toBe(false);
    now += 1000;
    expect(limiter.take('chat')).toBe(true);
    expect(limiter.take('chat')).toBe(false);
    now += 10_000;
    expect([1, 2, 3, 4].map(() => limiter.take('chat'))).toEqual([true, true, true, false]);
  });

  it('does not limit groups without a rule', () => {
    const limiter = new RateLimiter({});
    expect(Array.from({ length: 100 }, () => limiter.take('other')).every(Boolean)).toBe(true);
  });
});
