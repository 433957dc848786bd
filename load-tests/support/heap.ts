// The live JavaScript heap of a server process started by a benchmark with
// `--inspect=127.0.0.1:0`: what it holds after a full collection, read
// through its V8 inspector on loopback between the phases of a run.
// Resident memory moves with the collector's timing, not with what is held.

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { WebSocket } from 'ws';

/** The flag that opens the inspector on loopback, on a free port. */
export const INSPECT_FLAG = '--inspect=127.0.0.1:0';

/**
 * The inspector's address, read from the process's standard error (which
 * must be piped); its other lines go on to this process's standard error,
 * without the inspector's own notices.
 */
export function inspectorOf(stderr: Readable): Promise<string> {
  return new Promise((resolve) => {
    createInterface({ input: stderr }).on('line', (line) => {
      const m = /Debugger listening on (ws:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
      else if (!/^(For help, see|Debugger (attached|ending))/.test(line))
        process.stderr.write(`${line}\n`);
    });
  });
}

/** A session on a process's V8 inspector: `call` a method, then `close`. */
async function inspectorSession(inspector: string) {
  const ws = new WebSocket(inspector);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++next;
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(String(data)) as {
          id?: number;
          result: Record<string, unknown>;
        };
        if (message.id !== id) return;
        ws.off('message', onMessage);
        resolve(message.result);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { call, close: () => ws.close() };
}

/** The process's live heap (MB) after a full collection (its main thread: workers' heaps not included). */
export async function liveHeapMb(inspector: string): Promise<number> {
  const session = await inspectorSession(inspector);
  try {
    await session.call('HeapProfiler.collectGarbage');
    const { usedSize } = await session.call('Runtime.getHeapUsage');
    return (usedSize as number) / 1024 / 1024;
  } finally {
    session.close();
  }
}

/** The heap of the process's main thread as it is (no collection first): MB used, and MB V8 holds for it. */
export async function heapNowMb(inspector: string): Promise<{ used: number; total: number }> {
  const session = await inspectorSession(inspector);
  try {
    const { usedSize, totalSize } = await session.call('Runtime.getHeapUsage');
    return { used: (usedSize as number) / 1024 / 1024, total: (totalSize as number) / 1024 / 1024 };
  } finally {
    session.close();
  }
}

/**
 * Starts V8's sampling heap profiler in the process, counting every sampled
 * allocation, collected since or not (what makes the collector work, not
 * what is held); the returned function stops it and gives the profile
 * (`.heapprofile`, readable by Chromium's developer tools).
 */
export async function sampleAllocations(inspector: string): Promise<() => Promise<unknown>> {
  const session = await inspectorSession(inspector);
  await session.call('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async () => {
    try {
      return (await session.call('HeapProfiler.stopSampling')).profile;
    } finally {
      session.close();
    }
  };
}
