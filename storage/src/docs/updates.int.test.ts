import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import { type Database, openDatabase } from '../db/Database';
import { readOutbox } from '../trace/recordTrace';
import { archiveDoc, createDoc } from './documents';
import { appendDocUpdates, docClientAuthors, readDocParts, storeDocSnapshot } from './updates';

function appendContract(engine: string, open: () => Promise<Database>) {
  describe(`one batch of updates over several documents on ${engine}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
    });
    afterAll(() => database?.close());

    it('numbers each document’s updates in order, refuses archived and missing ones, traces the rest', async () => {
      const space = `class_batch_${engine}`;
      const newPad = async () =>
        (await createDoc(database.db, { space, kind: 'pad', title: 'Lot', actor: 'p' })).id;
      const [a, b, archived] = [await newPad(), await newPad(), await newPad()];
      await appendDocUpdates(database.db, [{ docId: a, author: 'p', body: new Uint8Array([1]) }]);
      await archiveDoc(database.db, { docId: archived, actor: 'p' });
      const body = (n: number) => new Uint8Array([n, n]);
      const results = await appendDocUpdates(database.db, [
        { docId: b, author: 'alice', body: body(10), newClients: [7] },
        { docId: a, author: 'bob', body: body(11), newClients: [8, 9] },
        { docId: archived, author: 'alice', body: body(12) },
        { docId: b, author: 'bob', body: body(13) },
        { docId: 'dmissing', author: 'alice', body: body(14) },
        { docId: a, author: 'alice', body: body(15), newClients: [7] },
      ]);
      expect(results.map((r) => (r.ok ? r.seq : r.error.code))).toEqual([
        1,
        2,
        'forbidden',
        2,
        'not_found',
        3,
      ]);
      const bodies = async (docId: string) =>
        (await readDocParts(database.db, docId)).updates.map((u) => [u.seq, u.author, u.body[0]]);
      expect(await bodies(a)).toEqual([
        [1, 'p', 1],
        [2, 'bob', 11],
        [3, 'alice', 15],
      ]);
      expect(await bodies(b)).toEqual([
        [1, 'alice', 10],
        [2, 'bob', 13],
      ]);
      expect(await bodies(archived)).toEqual([]);
      expect([...(await docClientAuthors(database.db, a))].sort()).toEqual([
        [7, 'alice'],
        [8, 'bob'],
        [9, 'bob'],
      ]);
      const traced = (await readOutbox(database.db, space))
        .filter((r) => r.kind === 'doc.update')
        .map((r) => `${r.subject}:${r.payload.seq}:${r.actor}`)
        .sort();
      expect(traced).toEqual(
        [`${a}:1:p`, `${a}:2:bob`, `${a}:3:alice`, `${b}:1:alice`, `${b}:2:bob`].sort(),
      );
      expect(await appendDocUpdates(database.db, [])).toEqual([]);
    });

    it('traces each update as recordTraces would, numbered per space in the order given', async () => {
      const [s1, s2] = [`class_one_${engine}`, `class_two_${engine}`];
      const pad = async (space: string) =>
        (await createDoc(database.db, { space, kind: 'pad', title: 'Trace', actor: 'p' })).id;
      const [a, b] = [await pad(s1), await pad(s2)];
      const before = async (space: string) =>
        (await readOutbox(database.db, space)).at(-1)?.seq ?? 0;
      const [from1, from2] = [await before(s1), await before(s2)];
      const at = new Date('2026-12-05T10:00:00.000Z');
      const results = await appendDocUpdates(database.db, [
        { docId: b, author: 'zoé', body: new Uint8Array([1, 2, 3]), at },
        { docId: a, author: 'inès', body: new Uint8Array([4]), newClients: [5, 5] },
        { docId: b, author: 'inès', body: new Uint8Array([6, 7]) },
        { docId: a, author: 'zoé', body: new Uint8Array([8, 9]) },
      ]);
      expect(results.map((r) => r.ok && [r.seq, r.space])).toEqual([
        [1, s2],
        [1, s1],
        [2, s2],
        [2, s1],
      ]);
      expect(results[0]!.ok && results[0]!.at.toISOString()).toBe(at.toISOString());
      const records = async (space: string, from: number) =>
        (await readOutbox(database.db, space, from)).map((r) => ({
          seq: r.seq - from,
          kind: r.kind,
          actor: r.actor,
          subject: r.subject,
          payload: r.payload,
          body: [...(r.body ?? [])],
        }));
      expect(await records(s1, from1)).toEqual([
        {
          seq: 1,
          kind: 'doc.update',
          actor: 'inès',
          subject: a,
          payload: { seq: 1, bytes: 1 },
          body: [4],
        },
        {
          seq: 2,
          kind: 'doc.update',
          actor: 'zoé',
          subject: a,
          payload: { seq: 2, bytes: 2 },
          body: [8, 9],
        },
      ]);
      expect(await records(s2, from2)).toEqual([
        {
          seq: 1,
          kind: 'doc.update',
          actor: 'zoé',
          subject: b,
          payload: { seq: 1, bytes: 3 },
          body: [1, 2, 3],
        },
        {
          seq: 2,
          kind: 'doc.update',
          actor: 'inès',
          subject: b,
          payload: { seq: 2, bytes: 2 },
          body: [6, 7],
        },
      ]);
      expect((await readOutbox(database.db, s2, from2))[0]!.at.toISOString()).toBe(
        at.toISOString(),
      );
      expect([...(await docClientAuthors(database.db, a))]).toEqual([[5, 'inès']]);
    });

    it('thins old snapshots to the first of each span and the two newest; every version still rebuilds', async () => {
      const { db } = database;
      const docId = (
        await createDoc(db, { space: `class_snap_${engine}`, kind: 'pad', title: 'S', actor: 'p' })
      ).id;
      const writer = new Y.Doc();
      const text = writer.getText('default');
      const states: string[] = [''];
      for (let i = 1; i <= 30; i++) {
        const before = Y.encodeStateVector(writer);
        text.insert(Math.floor(text.length / 2), String.fromCharCode(96 + (i % 26) + 1));
        const [result] = await appendDocUpdates(db, [
          { docId, author: 'p', body: Y.encodeStateAsUpdate(writer, before) },
        ]);
        expect(result!.ok).toBe(true);
        states.push(text.toString());
        // A snapshot every two updates, thinned by spans of ten.
        if (i % 2 === 0) {
          expect(
            await storeDocSnapshot(db, {
              docId,
              seq: i,
              state: Y.encodeStateAsUpdate(writer),
              keepEvery: 10,
            }),
          ).toBe(true);
        }
      }
      const kept = await db
        .selectFrom('doc_snapshot')
        .select('seq')
        .where('doc_id', '=', docId)
        .orderBy('seq')
        .execute();
      expect(kept.map((r) => Number(r.seq))).toEqual([2, 10, 20, 28, 30]);
      for (let upto = 1; upto <= 30; upto++) {
        const parts = await readDocParts(db, docId, upto);
        const doc = new Y.Doc();
        if (parts.snapshot) Y.applyUpdate(doc, parts.snapshot.state);
        for (const u of parts.updates) Y.applyUpdate(doc, u.body);
        expect(doc.getText('default').toString()).toBe(states[upto]);
      }
    });
  });
}

appendContract('pglite', () => openDatabase({ memory: true }, silentLogger()));

appendContract('postgresql', openPostgresDatabase);
