import { mergeParts } from '@preau/protocol/docs-model';
import { recordingLogger } from '@preau/protocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { INLINE_BELOW_BYTES, MergeThread } from './MergeThread';

/** `count` updates typed at random places (a deletion every seventh), as a pad stores them. */
function history(count: number, seed = 1): Uint8Array[] {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  let r = seed;
  const random = () => {
    r = (r * 48271) % 2147483647;
    return r / 2147483647;
  };
  for (let i = 0; i < count; i++) {
    if (i % 7 === 6 && text.length > 0) text.delete(Math.floor(random() * text.length), 1);
    else text.insert(Math.floor(random() * (text.length + 1)), String.fromCharCode(97 + (i % 26)));
  }
  return updates;
}

/**
 * Milliseconds of this thread's CPU while `work` runs: unlike the event
 * loop's stalls, not lengthened when other processes take the cores.
 */
async function mainThreadCpuMs(work: () => unknown): Promise<number> {
  const start = process.threadCpuUsage();
  await work();
  const used = process.threadCpuUsage(start);
  return (used.user + used.system) / 1000;
}

describe('merging snapshots on a thread of their own', () => {
  let merges: MergeThread | undefined;
  afterEach(() => merges?.close());

  it('gives the same bytes as merging on the main thread, with or without a snapshot', async () => {
    // Every merge on the thread, small ones included.
    merges = new MergeThread(recordingLogger().log, 30_000, 0);
    const updates = history(600);
    const snapshot = mergeParts(null, updates.slice(0, 400));
    const tail = updates.slice(400);
    expect(await merges.merge(snapshot, tail)).toEqual(mergeParts(snapshot, tail));
    expect(await merges.merge(null, updates)).toEqual(mergeParts(null, updates));
    // Parts that are views of a larger buffer travel as their own bytes only.
    const big = new Uint8Array(snapshot.byteLength + 10);
    big.set(snapshot, 5);
    const view = big.subarray(5, 5 + snapshot.byteLength);
    expect(await merges.merge(view, tail)).toEqual(mergeParts(snapshot, tail));
    // Merges asked together each get their own answer.
    const other = history(300, 7);
    const [a, b] = await Promise.all([merges.merge(null, updates), merges.merge(null, other)]);
    expect(a).toEqual(mergeParts(null, updates));
    expect(b).toEqual(mergeParts(null, other));
    expect(merges.running).toBe(true);
  });

  it("merges a class hour's pad where it is asked, without starting the thread", async () => {
    merges = new MergeThread(recordingLogger().log);
    // About two hours of a class's typing: a compaction of 40 to 50 kB.
    const updates = history(3000);
    const snapshot = mergeParts(null, updates.slice(0, 2500));
    const tail = updates.slice(2500);
    const bytes = [snapshot, ...tail].reduce((n, part) => n + part.byteLength, 0);
    expect(bytes).toBeGreaterThan(40_000);
    expect(bytes).toBeLessThan(INLINE_BELOW_BYTES);
    expect(await merges.merge(snapshot, tail)).toEqual(mergeParts(snapshot, tail));
    await expect(merges.merge(null, [updates[0]!, new Uint8Array([1, 2, 3])])).rejects.toThrow(
      /end of array/,
    );
    expect(merges.running).toBe(false);
    // A long one goes to the thread.
    const long = history(8000, 9);
    expect(await merges.merge(null, long)).toEqual(mergeParts(null, long));
    expect(merges.running).toBe(true);
  });

  it('leaves the main thread free while a long document merges', async () => {
    merges = new MergeThread(recordingLogger().log);
    const updates = history(40_000, 3);
    const snapshot = mergeParts(null, updates.slice(0, 39_500));
    const tail = updates.slice(39_500);
    // The thread started and warm, so its own start is not what is measured.
    await merges.merge(snapshot, tail);
    // The least of three alternated tries each: a collection of the other
    // merge's garbage, or the runner's own work, may fall into any one of them.
    let here = Number.POSITIVE_INFINITY;
    let threaded = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      here = Math.min(here, await mainThreadCpuMs(() => mergeParts(snapshot, tail)));
      threaded = Math.min(threaded, await mainThreadCpuMs(() => merges!.merge(snapshot, tail)));
    }
    // Copying the parts in and the state out is all the main thread does.
    expect(threaded).toBeLessThan(here / 2);
  });

  it('stops its thread once idle, and starts another for the next merge', async () => {
    const { log, lines } = recordingLogger();
    merges = new MergeThread(log, 200, 0);
    const updates = history(100);
    expect(merges.running).toBe(false);
    await merges.merge(null, updates);
    expect(merges.running).toBe(true);
    await expect.poll(() => merges!.running, { timeout: 2000 }).toBe(false);
    expect(await merges.merge(null, updates)).toEqual(mergeParts(null, updates));
    expect(merges.running).toBe(true);
    // Stopping an idle thread is not a failure.
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('refuses a part Yjs cannot read, and merges again afterwards', async () => {
    merges = new MergeThread(recordingLogger().log, 30_000, 0);
    const updates = history(50);
    await expect(merges.merge(null, [updates[0]!, new Uint8Array([1, 2, 3])])).rejects.toThrow(
      /end of array/,
    );
    expect(await merges.merge(null, updates)).toEqual(mergeParts(null, updates));
  });

  it('finishes on the main thread what a stopped thread was merging', async () => {
    const { log, lines } = recordingLogger();
    merges = new MergeThread(log);
    const updates = history(20_000, 5);
    const merging = merges.merge(null, updates);
    // Stopped while the merge is in flight: its answer still comes, the same bytes.
    await merges.close();
    expect(await merging).toEqual(mergeParts(null, updates));
    expect(await merges.merge(null, updates.slice(0, 10))).toEqual(
      mergeParts(null, updates.slice(0, 10)),
    );
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});
