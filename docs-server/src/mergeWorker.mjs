// The thread snapshots are merged on (see MergeThread.ts). Plain JavaScript:
// a worker thread loads its file with Node's own loader, in any runner.
// Message in: { id, bytes: ArrayBuffer, ends: number[] }: the parts one
// after the other in `bytes`, part i ending at ends[i], the snapshot first
// when there is one. Message out: { id, state: Uint8Array }
// (its buffer transferred) or { id, error }.
import { parentPort } from 'node:worker_threads';
import * as Y from 'yjs';

/**
 * The merge of @preau/protocol's `mergeParts` (a document that keeps deleted
 * content, every part applied in one transaction, the whole state encoded
 * once): the same bytes, which MergeThread's test checks.
 */
function merge(parts) {
  const doc = new Y.Doc({ gc: false });
  try {
    doc.transact(() => {
      for (const part of parts) Y.applyUpdate(doc, part);
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

parentPort.on('message', ({ id, bytes, ends }) => {
  try {
    const parts = [];
    let start = 0;
    for (const end of ends) {
      parts.push(new Uint8Array(bytes, start, end - start));
      start = end;
    }
    let state = merge(parts);
    // Only a buffer of exactly these bytes crosses (a view would take its whole buffer).
    if (state.byteOffset !== 0 || state.byteLength !== state.buffer.byteLength)
      state = state.slice();
    parentPort.postMessage({ id, state }, [state.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
