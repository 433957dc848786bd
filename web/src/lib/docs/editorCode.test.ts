import { describe, expect, it } from 'vitest';
import { retryable } from './editorCode';

describe('retryable', () => {
  it('loads once while it succeeds', async () => {
    let calls = 0;
    const code = retryable(async () => ++calls);
    expect(await Promise.all([code(), code()])).toEqual([1, 1]);
    expect(await code()).toBe(1);
    expect(calls).toBe(1);
  });

  it('forgets a failed load: the next call loads again', async () => {
    let calls = 0;
    const code = retryable(async () => {
      calls++;
      if (calls === 1) throw new Error('network lost');
      return 'loaded';
    });
    await expect(code()).rejects.toThrow('network lost');
    expect(await code()).toBe('loaded');
    expect(await code()).toBe('loaded');
    expect(calls).toBe(2);
  });
});
