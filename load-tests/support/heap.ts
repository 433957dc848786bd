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

/** The process's live heap (MB) after a full collection (its main thread: workers' heaps not included). */
export async function liveHeapMb(inspector: string): Promise<number> {
  const ws = new WebSocket(inspector);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 0;
  const call = (method: string) =>
    new Promise<Record<string, number>>((resolve) => {
      const id = ++next;
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(String(data)) as { id?: number; result: Record<string, number> };
        if (message.id !== id) return;
        ws.off('message', onMessage);
        resolve(message.result);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const { usedSize } = await call('Runtime.getHeapUsage');
    return usedSize! / 1024 / 1024;
  } finally {
    ws.close();
  }
}
