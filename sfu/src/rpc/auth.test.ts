import { describe, expect, it } from 'vitest';
import { AUTH_WINDOW_MS, signAuth, verifyAuth } from './auth';

const secret = 'a-secret-of-enough-length';

describe('RPC authentication header', () => {
  it('accepts a fresh header signed with the secret', () => {
    const now = 1_800_000_000_000;
    expect(verifyAuth(secret, signAuth(secret, now), now + 1000)).toBe(true);
  });

  it('refuses another secret, a stale or future stamp, a tampered stamp, and garbage', () => {
    const now = 1_800_000_000_000;
    const good = signAuth(secret, now);
    expect(verifyAuth('another-secret-of-length', good, now)).toBe(false);
    expect(verifyAuth(secret, good, now + AUTH_WINDOW_MS + 1)).toBe(false);
    expect(verifyAuth(secret, good, now - AUTH_WINDOW_MS - 1)).toBe(false);
    expect(verifyAuth(secret, good.replace(String(now), String(now + 1)), now)).toBe(false);
    expect(verifyAuth(secret, undefined, now)).toBe(false);
    expect(verifyAuth(secret, [good], now)).toBe(false);
    expect(verifyAuth(secret, secret, now)).toBe(false);
  });
});
