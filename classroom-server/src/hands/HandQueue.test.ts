import { describe, expect, it } from 'vitest';
import { HandQueue } from './HandQueue';

describe('HandQueue', () => {
  it('keeps hands in the order they went up, and a second raise keeps the first place', () => {
    const q = new HandQueue();
    const t = (s: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, s));
    expect(q.raise('b', t(1))).toBe(true);
    expect(q.raise('a', t(2))).toBe(true);
    expect(q.raise('b', t(3))).toBe(false);
    expect(q.list().map((h) => h.participantId)).toEqual(['b', 'a']);
    expect(q.lower('b')).toBe(true);
    expect(q.lower('b')).toBe(false);
    q.raise('b', t(4));
    expect(q.list()).toEqual([
      { participantId: 'a', raisedAt: t(2).toISOString() },
      { participantId: 'b', raisedAt: t(4).toISOString() },
    ]);
  });
});
