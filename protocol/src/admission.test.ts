import { describe, expect, it } from 'vitest';
import { busyBackoffSeconds } from './admission';

describe('busy back-off', () => {
  it('doubles the server’s delay at each attempt, caps it, and spreads it by ±50 %', () => {
    expect(busyBackoffSeconds(2, 0, () => 0.5)).toBe(2);
    expect(busyBackoffSeconds(2, 3, () => 0.5)).toBe(16);
    expect(busyBackoffSeconds(2, 10, () => 0.5)).toBe(60);
    expect(busyBackoffSeconds(4, 0, () => 0)).toBe(2);
    expect(busyBackoffSeconds(4, 0, () => 0.999)).toBe(6);
    expect(busyBackoffSeconds(1, 0, () => 0)).toBe(1);
  });

  it('does not bring a class refused together back together', () => {
    const delays = new Set(Array.from({ length: 200 }, () => busyBackoffSeconds(8, 1)));
    expect(delays.size).toBeGreaterThan(8);
  });
});
