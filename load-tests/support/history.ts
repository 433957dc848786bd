import { mergeParts, padFragment } from '@preau/protocol/docs-model';
import { type Database, storeDocSnapshot } from '@preau/storage';
import { sql } from 'kysely';
import * as Y from 'yjs';

/**
 * Stores `updates` as a document's history (one row each, 200 ms apart, the
 * last one now), and a snapshot of the first `snapshotAt` as the write path
 * compacts it; returns the snapshot's size in bytes (0 without one).
 */
export async function storeHistory(
  database: Database,
  docId: string,
  updates: Uint8Array[],
  snapshotAt = 0,
): Promise<number> {
  const at = Date.now() - updates.length * 200;
  for (let i = 0; i < updates.length; i += 2000) {
    const rows = updates.slice(i, i + 2000).map((body, k) => ({
      doc_id: docId,
      seq: i + k + 1,
      author: 'bench',
      at: new Date(at + (i + k) * 200),
      body,
    }));
    await database.db.insertInto('doc_update').values(rows).execute();
  }
  await sql`UPDATE doc SET last_seq = ${updates.length} WHERE id = ${docId}`.execute(database.db);
  if (snapshotAt > 0) {
    // What the write path compacts: the merge of every update up to a seq.
    const state = mergeParts(null, updates.slice(0, snapshotAt));
    await storeDocSnapshot(database.db, { docId, seq: snapshotAt, state });
    return state.byteLength;
  }
  return 0;
}

/** A pad's history: `count` one-letter updates at random places (a new line every 40). */
export function padHistory(count: number): Uint8Array[] {
  const writer = new Y.Doc();
  const p = new Y.XmlElement('paragraph');
  const t = new Y.XmlText();
  p.insert(0, [t]);
  const updates: Uint8Array[] = [];
  writer.on('update', (u: Uint8Array) => updates.push(u));
  padFragment(writer).insert(0, [p]);
  while (updates.length < count) {
    if (updates.length % 40 === 39) t.insert(t.length, '\n');
    else t.insert(Math.floor(Math.random() * (t.length + 1)), 'x');
  }
  return updates;
}
