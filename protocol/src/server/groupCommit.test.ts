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
  });

  it('keeps batches under the largest size', async () => {
    const w = heldWriter();
    const commit = new GroupCommit(w.write, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => commit.add(n));
    for (let i = 0; i < 3; i++) await w.release();
    expect(await Promise.all(all)).toHaveLength(5);
    expect(w.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('writes the items of a failed batch again one by one: a bad item fails alone', async () => {
    const batches: number[][] = [];
    const commit = new GroupCommit<number, number>(async (batch) => {
      batches.push(batch);
      if (batch.includes(3)) throw new Error('3 is refused');
      return batch.map((n) => n * 10);
    });
    const first = commit.add(1);
    const rest = [2, 3, 4].map((n) => commit.add(n));
    expect(await first).toBe(10);
    const settled = await Promise.allSettled(rest);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([
      20,
      'Error: 3 is refused',
      40,
    ]);
    expect(batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    // The next batch is written as usual.
    expect(await commit.add(5)).toBe(50);
  });

  it('rejects a batch whose write answers the wrong number of results', async () => {
    const commit = new GroupCommit<number, number>(async () => []);
    await expect(commit.add(1)).rejects.toThrow('a batch of 1 answered 0 results');
  });
});
