import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from './RateLimiter';

describe('RateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('allows a burst up to capacity, then refills over time', () => {
    const limiter = new RateLimiter({ chat: { capacity: 3, perSecond: 1 } });
    expect([limiter.take('chat'), limiter.take('chat'), limiter.take('chat')]).toEqual([
      true,
      true,
      true,
    ]);
    expect(limiter.take('chat')).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(limiter.take('chat')).toBe(true);
    expect(limiter.take('chat')).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect([1, 2, 3, 4].map(() => limiter.take('chat'))).toEqual([true, true, true, false]);
  });

  it('does not limit groups without a rule', () => {
    const limiter = new RateLimiter({});
    expect(Array.from({ length: 100 }, () => limiter.take('other')).every(Boolean)).toBe(true);
  });
});
