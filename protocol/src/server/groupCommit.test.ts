import { describe, expect, it } from 'vitest';
import { GroupCommit } from './groupCommit';

/** A write that holds each batch until released, recording the batches. */
function heldWriter() {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const write = (batch: number[]) => {
    batches.push(batch);
    return new Promise<string[]>((resolve) => {
      releases.push(() => resolve(batch.map((n) => `stored ${n}`)));
    });
  };
  const release = async () => {
    releases.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { batches, write, release };
}

describe('GroupCommit', () => {
  it('writes a lone item at once, and what arrives meanwhile together in the next batch', async () => {
    const w = heldWriter();
    const commit = new GroupCommit(w.write);
    const first = commit.add(1);
    const later = [commit.add(2), commit.add(3), commit.add(4)];
    expect(w.batches).toEqual([[1]]);
    await w.release();
    expect(await first).toBe('stored 1');
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    await w.release();
    expect(await Promise.all(later)).toEqual(['stored 2', 'stored 3', 'stored 4']);
    expect(commit.batches).toBe(2);
  });

  it('keeps batches under the largest size', async () => {
    const w = heldWriter();
    const commit = new GroupCommit(w.write, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => commit.add(n));
    for (let i = 0; i < 3; i++) await w.release();
    expect(await Promise.all(all)).toHaveLength(5);
    expect(w.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('rejects every item of a failed batch, and goes on with the next', async () => {
    let calls = 0;
    let fail: (err: Error) => void = () => {};
    const commit = new GroupCommit<number, number>((batch) => {
      calls++;
      if (calls === 1) return new Promise((_, reject) => (fail = reject));
      return Promise.resolve(batch.map((n) => n * 10));
    });
    const doomed = commit.add(1);
    const next = commit.add(2);
    fail(new Error('database gone'));
    await expect(doomed).rejects.toThrow('database gone');
    expect(await next).toBe(20);
  });

  it('rejects a batch whose write answers the wrong number of results', async () => {
    const commit = new GroupCommit<number, number>(async () => []);
    await expect(commit.add(1)).rejects.toThrow('a batch of 1 answered 0 results');
  });
});
