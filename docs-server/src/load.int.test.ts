import { mergeParts, rebuildDoc } from '@preau/protocol/docs-model';
import { appendDocUpdates, readDocParts, storeDocSnapshot } from '@preau/storage';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocPersistence } from './DocPersistence';
import { connect, type DocsHarness, saved, startDocsHarness } from './testing/harness';

const SPACE = 'class_load';

function persistenceOf(h: DocsHarness): DocPersistence {
  const found = h.docs.hocuspocus.configuration.extensions.find(
    (e) => e.extensionName === 'preau-doc-persistence',
  );
  if (!found) throw new Error('no persistence extension');
  return found as DocPersistence;
}

/** Everything opening a document could change: its row, updates, snapshots, and the traces. */
async function fingerprint(h: DocsHarness, docId: string) {
  const { rows } = await sql<{ v: string }>`
    SELECT concat_ws('/',
      (SELECT last_seq || ' ' || updated_at FROM doc WHERE id = ${docId}),
      (SELECT count(*) FROM doc_update WHERE doc_id = ${docId}),
      (SELECT count(*) || ' ' || coalesce(max(seq), 0) FROM doc_snapshot WHERE doc_id = ${docId}),
      (SELECT count(*) FROM trace_outbox)) AS v`.execute(h.database.db);
  return rows[0]!.v;
}

/** Every stored update of a document, in order (the full replay). */
async function allUpdates(h: DocsHarness, docId: string, upto = Number.MAX_SAFE_INTEGER) {
  const rows = await h.database.db
    .selectFrom('doc_update')
    .select(['seq', 'body'])
    .where('doc_id', '=', docId)
    .where('seq', '<=', upto)
    .orderBy('seq')
    .execute();
  return rows.map((r) => new Uint8Array(r.body));
}

/** The same content and the same Yjs state (state vector and deletions). */
function expectSameState(a: Y.Doc, b: Y.Doc) {
  expect(a.getText('t').toString()).toBe(b.getText('t').toString());
  expect(Y.equalSnapshots(Y.snapshot(a), Y.snapshot(b))).toBe(true);
}

describe('loading documents', () => {
  let h: DocsHarness;
  beforeAll(async () => {
    h = await startDocsHarness({ compactEvery: 20 });
  });
  afterAll(() => h?.close());

  it('opens from the snapshot and its tail, equal to the full replay, and writes nothing', async () => {
    const docId = await h.newDoc(SPACE);
    // A history typed at random places, with deletions, stored as the writes store it.
    const writer = new Y.Doc();
    const text = writer.getText('t');
    const updates: Uint8Array[] = [];
    writer.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 150; i++) {
      if (i % 7 === 6) text.delete(Math.floor(Math.random() * text.length), 1);
      else
        text.insert(
          Math.floor(Math.random() * (text.length + 1)),
          String.fromCharCode(97 + (i % 26)),
        );
    }
    await appendDocUpdates(
      h.database.db,
      updates.map((body) => ({ docId, author: 'alice', body })),
    );
    // A snapshot far behind: the tail (50 updates) is longer than compactEvery.
    await storeDocSnapshot(h.database.db, {
      docId,
      seq: 100,
      state: mergeParts(null, updates.slice(0, 100)),
    });
    const before = await fingerprint(h, docId);

    const reader = connect(h.wsUrl, docId, await h.mint({ sub: 'bob', space: SPACE, doc: docId }));
    await saved(reader);
    expectSameState(reader.document, rebuildDoc(await allUpdates(h, docId)));
    expect(reader.document.getText('t').toString()).toBe(text.toString());
    reader.destroy();
    await expect.poll(() => h.docs.hocuspocus.documents.has(docId)).toBe(false);
    await persistenceOf(h).drainAll();
    // No write on open: no compaction, no row touched, no trace.
    expect(await fingerprint(h, docId)).toBe(before);
  });

  it('compacts in the background of the writes; the compacted state equals the full replay', async () => {
    const docId = await h.newDoc(SPACE);
    const a = connect(h.wsUrl, docId, await h.mint({ sub: 'alice', space: SPACE, doc: docId }));
    await saved(a);
    const text = a.document.getText('t');
    for (let i = 0; i < 45; i++) {
      if (i % 9 === 8) text.delete(0, 1);
      else text.insert(Math.floor(Math.random() * (text.length + 1)), String.fromCharCode(65 + i));
      await saved(a);
    }
    await persistenceOf(h).drainAll();
    const parts = await readDocParts(h.database.db, docId);
    expect(parts.snapshot?.seq).toBeGreaterThanOrEqual(40);
    expect(parts.updates.length).toBeLessThan(20);
    const compacted = new Y.Doc({ gc: false });
    Y.applyUpdate(compacted, parts.snapshot!.state);
    expectSameState(compacted, rebuildDoc(await allUpdates(h, docId, parts.snapshot!.seq)));
    // Every update stays stored for the archive and the history.
    expect((await allUpdates(h, docId)).length).toBe(parts.snapshot!.seq + parts.updates.length);
    a.destroy();
    // Loaded again from the snapshot and its tail: what the client had.
    const b = connect(h.wsUrl, docId, await h.mint({ sub: 'bob', space: SPACE, doc: docId }));
    await expect.poll(() => h.docs.hocuspocus.documents.has(docId)).toBe(true);
    await saved(b);
    expect(b.document.getText('t').toString()).toBe(text.toString());
    b.destroy();
  });

  it('unloads a document once its last client leaves and keeps nothing for it', async () => {
    const docId = await h.newDoc(SPACE);
    const clients = await Promise.all(
      ['alice', 'bob', 'chloe'].map(async (sub) =>
        connect(h.wsUrl, docId, await h.mint({ sub, space: SPACE, doc: docId })),
      ),
    );
    await Promise.all(clients.map(saved));
    clients.forEach((c, i) => {
      c.document.getText('t').insert(0, `${i}`);
    });
    await Promise.all(clients.map(saved));
    expect(h.docs.hocuspocus.documents.has(docId)).toBe(true);
    expect(persistenceOf(h).held().loaded).toBeGreaterThan(0);
    clients[0]!.destroy();
    clients[1]!.destroy();
    // One client left: the document stays.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.docs.hocuspocus.documents.has(docId)).toBe(true);
    clients[2]!.destroy();
    await expect.poll(() => h.docs.hocuspocus.documents.has(docId)).toBe(false);
    await persistenceOf(h).drainAll();
    await expect
      .poll(() => persistenceOf(h).held())
      .toEqual({ loaded: 0, known: 0, snapshotSeqs: 0, pending: 0 });
    expect(h.docs.stats().documents).toBe(0);
  });
});
