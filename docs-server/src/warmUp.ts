import { mergeParts } from '@preau/protocol/docs-model';
import type { Logger } from '@preau/protocol/server';
import { type DocsExecutor, warmDocReads } from '@preau/storage/docs';
import * as Y from 'yjs';

/**
 * The work of opening a document, done before the server takes connections:
 * its reads in the database, and Yjs encoding, merging and parsing. In a
 * fresh process the first opening otherwise waits for V8 to compile this
 * code for speed (on PGlite, the embedded database's WebAssembly too), on
 * the same cores (load-tests/README.md, "A fresh process, warmed up").
 * Reads only; a failure is logged and the server starts anyway.
 */
export async function warmUp(db: DocsExecutor, log: Logger): Promise<void> {
  const started = performance.now();
  try {
    for (let round = 0; round < 2; round++) await warmDocReads(db);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    const text = doc.getText('warm-up');
    for (let i = 0; i < 2000; i++) text.insert((i * 7919) % (i + 1), 'x');
    Y.applyUpdate(new Y.Doc(), mergeParts(updates[0] ?? null, updates.slice(1)));
    doc.destroy();
    log.debug({ ms: Math.round(performance.now() - started) }, 'docs warmed up');
  } catch (err) {
    log.warn({ err }, 'warming up the docs failed');
  }
}
