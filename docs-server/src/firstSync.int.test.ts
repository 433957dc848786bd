import { mergeParts, rebuildDoc } from '@preau/protocol/docs-model';
import { appendDocUpdates, readDocParts, storeDocSnapshot } from '@preau/storage';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { DocPersistence } from './DocPersistence';
import { connect, type DocsHarness, saved, startDocsHarness } from './testing/harness';

const SPACE = 'class_first_sync';

/** A pad history typed at random places, with deletions; stored as a snapshot and a tail. */
async function storeHistory(h: DocsHarness, docId: string, count: number, snapshotAt: number) {
  const writer = new Y.Doc();
  const text = writer.getText('t');
  const updates: Uint8Array[] = [];
  writer.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < count; i++) {
    if (i % 9 === 8) text.delete(Math.floor(Math.random() * text.length), 1);
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
  if (snapshotAt > 0) {
    await storeDocSnapshot(h.database.db, {
      docId,
      seq: snapshotAt,
      state: mergeParts(null, updates.slice(0, snapshotAt)),
    });
  }
  return text.toString();
}

/** The full replay of every stored update. */
async function replay(h: DocsHarness, docId: string) {
  const rows = await h.database.db
    .selectFrom('doc_update')
    .select(['body'])
    .where('doc_id', '=', docId)
    .orderBy('seq')
    .execute();
  return rebuildDoc(rows.map((r) => new Uint8Array(r.body)));
}

function persistenceOf(h: DocsHarness): DocPersistence {
  return h.docs.hocuspocus.configuration.extensions.find(
    (e) => e.extensionName === 'preau-doc-persistence',
  ) as DocPersistence;
}

/**
 * A client speaking Hocuspocus' protocol itself, so that what it sends and
 * when is exact: its token, its SyncStep1 and, in the same instant, a change
 * (sent while the server is still loading the document).
 */
function rawClient(url: string, docId: string, token: string, doc: Y.Doc) {
  const ws = new WebSocket(`${url}/${docId}?token=${encodeURIComponent(token)}`);
  let acks = 0;
  let step2s = 0;
  const frame = (write: (e: encoding.Encoder) => void) => {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, docId);
    write(e);
    return encoding.toUint8Array(e);
  };
  ws.binaryType = 'nodebuffer';
  ws.on('message', (data: Buffer) => {
    const d = decoding.createDecoder(new Uint8Array(data));
    decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    if (type === 8) {
      if (decoding.readVarInt(d) === 1) acks += 1;
    } else if (type === 0 || type === 4) {
      const reply = encoding.createEncoder();
      encoding.writeVarString(reply, docId);
      encoding.writeVarUint(reply, 0);
      const before = encoding.length(reply);
      const kind = syncProtocol.readSyncMessage(d, reply, doc, 'server');
      if (kind === syncProtocol.messageYjsSyncStep2) step2s += 1;
      if (encoding.length(reply) > before) ws.send(encoding.toUint8Array(reply));
    }
  });
  return {
    ws,
    acks: () => acks,
    step2s: () => step2s,
    /** Token, SyncStep1 of an empty document, then `update`, all at once. */
    openAndSend(update: Uint8Array) {
      ws.send(
        frame((e) => {
          encoding.writeVarUint(e, 2);
          encoding.writeVarUint(e, 0);
          encoding.writeVarString(e, token);
        }),
      );
      ws.send(
        frame((e) => {
          encoding.writeVarUint(e, 0);
          syncProtocol.writeSyncStep1(e, new Y.Doc());
        }),
      );
      ws.send(
        frame((e) => {
          encoding.writeVarUint(e, 0);
          syncProtocol.writeUpdate(e, update);
        }),
      );
    },
  };
}

describe('first sync of a document not in memory', () => {
  let h: DocsHarness;
  beforeAll(async () => {
    h = await startDocsHarness({ compactEvery: 50 });
  });
  afterAll(() => h?.close());

  it('answers from the stored bytes: the full replay, nothing written, edits flow after', async () => {
    const docId = await h.newDoc(SPACE);
    const expected = await storeHistory(h, docId, 300, 260);
    const before = h.docs.stats().firstSyncs;
    const reader = connect(h.wsUrl, docId, await h.mint({ sub: 'bob', space: SPACE, doc: docId }));
    await saved(reader);
    expect(h.docs.stats().firstSyncs).toBe(before + 1);
    expect(reader.document.getText('t').toString()).toBe(expected);
    const full = await replay(h, docId);
    expect(Y.equalSnapshots(Y.snapshot(reader.document), Y.snapshot(full))).toBe(true);
    // The server's copy holds the same.
    const loaded = h.docs.hocuspocus.documents.get(docId)!;
    expect(loaded.getText('t').toString()).toBe(expected);
    // Edits after the first sync are stored and reach a second client (answered from memory).
    const writer = connect(
      h.wsUrl,
      docId,
      await h.mint({ sub: 'chloe', space: SPACE, doc: docId }),
    );
    await saved(writer);
    expect(h.docs.stats().firstSyncs).toBe(before + 1);
    writer.document.getText('t').insert(0, 'Z');
    await saved(writer);
    await expect.poll(() => reader.document.getText('t').toString()).toBe(`Z${expected}`);
    expect((await replay(h, docId)).getText('t').toString()).toBe(`Z${expected}`);
    reader.destroy();
    writer.destroy();
    await expect.poll(() => h.docs.hocuspocus.documents.has(docId)).toBe(false);
  });

  it('keeps a change the client sends while the document loads, acknowledges it once stored, and others get it', async () => {
    const docId = await h.newDoc(SPACE);
    const expected = await storeHistory(h, docId, 400, 380);
    const before = h.docs.stats().firstSyncs;
    const storedBefore = (await readDocParts(h.database.db, docId)).updates.length;
    // The client's change, made on a document of its own (it holds nothing of the pad yet).
    const local = new Y.Doc();
    const change = new Y.Doc();
    change.getText('u').insert(0, 'hors ligne');
    const update = Y.encodeStateAsUpdate(change);
    const client = rawClient(
      h.wsUrl,
      docId,
      await h.mint({ sub: 'dora', space: SPACE, doc: docId }),
      local,
    );
    await new Promise((resolve) => client.ws.once('open', resolve));
    client.openAndSend(update);
    // Synced with the stored content, and the change acknowledged (stored).
    await expect.poll(() => local.getText('t').toString()).toBe(expected);
    await expect.poll(() => client.acks()).toBeGreaterThanOrEqual(1);
    expect(h.docs.stats().firstSyncs).toBe(before + 1);
    const parts = await readDocParts(h.database.db, docId);
    expect(parts.updates.length).toBe(storedBefore + 1);
    expect(parts.updates.at(-1)!.author).toBe('dora');
    // Another client gets the change from the server.
    const other = connect(h.wsUrl, docId, await h.mint({ sub: 'emma', space: SPACE, doc: docId }));
    await saved(other);
    expect(other.document.getText('u').toString()).toBe('hors ligne');
    expect(other.document.getText('t').toString()).toBe(expected);
    // And after a reload (a fresh load from the database), it is still there.
    other.destroy();
    client.ws.close();
    await expect.poll(() => h.docs.hocuspocus.documents.has(docId)).toBe(false);
    await persistenceOf(h).drainAll();
    const again = connect(h.wsUrl, docId, await h.mint({ sub: 'emma', space: SPACE, doc: docId }));
    await saved(again);
    expect(again.document.getText('u').toString()).toBe('hors ligne');
    expect(again.document.getText('t').toString()).toBe(expected);
    again.destroy();
  });

  it('a client holding changes already syncs both ways as before', async () => {
    const docId = await h.newDoc(SPACE);
    const expected = await storeHistory(h, docId, 120, 100);
    const before = h.docs.stats().firstSyncs;
    const doc = new Y.Doc();
    doc.getText('u').insert(0, 'déjà là');
    const client = connect(
      h.wsUrl,
      docId,
      await h.mint({ sub: 'fanny', space: SPACE, doc: docId }),
      doc,
    );
    await saved(client);
    expect(h.docs.stats().firstSyncs).toBe(before);
    expect(doc.getText('t').toString()).toBe(expected);
    const full = await replay(h, docId);
    expect(full.getText('u').toString()).toBe('déjà là');
    client.destroy();
  });

  it('two clients opening at once both get the document and then each other’s edits', async () => {
    const docId = await h.newDoc(SPACE);
    const expected = await storeHistory(h, docId, 200, 160);
    const [a, b] = await Promise.all(
      ['gael', 'hugo'].map(async (sub) =>
        connect(h.wsUrl, docId, await h.mint({ sub, space: SPACE, doc: docId })),
      ),
    );
    await Promise.all([saved(a!), saved(b!)]);
    expect(a!.document.getText('t').toString()).toBe(expected);
    expect(b!.document.getText('t').toString()).toBe(expected);
    a!.document.getText('t').insert(0, 'A');
    await expect.poll(() => b!.document.getText('t').toString()).toBe(`A${expected}`);
    b!.document.getText('t').insert(0, 'B');
    await expect.poll(() => a!.document.getText('t').toString()).toBe(`BA${expected}`);
    await Promise.all([saved(a!), saved(b!)]);
    expect((await replay(h, docId)).getText('t').toString()).toBe(`BA${expected}`);
    a!.destroy();
    b!.destroy();
    await expect.poll(() => h.docs.hocuspocus.documents.has(docId)).toBe(false);
    await persistenceOf(h).drainAll();
    expect(h.docs.firstSync.held()).toBe(0);
  });

  it('an empty document and a refused token', async () => {
    const docId = await h.newDoc(SPACE);
    const client = connect(h.wsUrl, docId, await h.mint({ sub: 'ines', space: SPACE, doc: docId }));
    await saved(client);
    client.document.getText('t').insert(0, 'premier');
    await saved(client);
    client.destroy();
    await expect.poll(() => h.docs.hocuspocus.documents.has(docId)).toBe(false);
    // The URL's token is valid, the provider's own is for someone else: refused, nothing sent.
    const local = new Y.Doc();
    const raw = rawClient(
      `${h.wsUrl}`,
      docId,
      await h.mint({ sub: 'jules', space: SPACE, doc: docId }),
      local,
    );
    await new Promise((resolve) => raw.ws.once('open', resolve));
    const other = await h.mint({ sub: 'karim', space: SPACE, doc: docId });
    const e = encoding.createEncoder();
    encoding.writeVarString(e, docId);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint(e, 0);
    encoding.writeVarString(e, other);
    raw.ws.send(encoding.toUint8Array(e));
    const s = encoding.createEncoder();
    encoding.writeVarString(s, docId);
    encoding.writeVarUint(s, 0);
    syncProtocol.writeSyncStep1(s, new Y.Doc());
    raw.ws.send(encoding.toUint8Array(s));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(raw.step2s()).toBe(0);
    expect(local.getText('t').toString()).toBe('');
    raw.ws.close();
    await expect.poll(() => h.docs.firstSync.held()).toBe(0);
  });
});
