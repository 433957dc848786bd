import { mergeParts } from '@preau/protocol/docs-model';
import type { Logger } from '@preau/protocol/server';
import { type DocsExecutor, warmDocReads, warmDocWrites } from '@preau/storage/docs';
import * as Y from 'yjs';

/** Batches of updates the warm-up stores (and rolls back), at most… */
const WRITE_ROUNDS = 100;
/** …and for at most this long. */
const WRITE_MAX_MS = 1000;
/** Updates in one batch: about what a tick gathers from a class typing. */
const WRITE_BATCH = 30;

/**
 * The work of opening and typing in a document, done before the server
 * takes connections: its reads in the database, its writes (in a
 * transaction rolled back), and Yjs encoding, merging and parsing. In a
 * fresh process the first openings and the first minute of typing
 * otherwise wait for V8 to compile this code for speed (on PGlite, the
 * embedded database's WebAssembly too), on the same cores
 * (load-tests/README.md, "A fresh process, warmed up" and "The writes
 * warmed before listening"). Nothing stored changes; a failure is logged
 * and the server starts anyway.
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
    const writes = await warmDocWrites(db, updates.slice(0, WRITE_BATCH), {
      rounds: WRITE_ROUNDS,
      maxMs: WRITE_MAX_MS,
    });
    log.debug({ ms: Math.round(performance.now() - started), writes }, 'docs warmed up');
  } catch (err) {
    log.warn({ err }, 'warming up the docs failed');
  }
}
