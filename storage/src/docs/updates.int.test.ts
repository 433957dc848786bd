import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../tests/support/postgres';
import { type Database, openDatabase } from '../db/Database';
import { readOutbox } from '../trace/recordTrace';
import { archiveDoc, createDoc } from './documents';
import { appendDocUpdates, docClientAuthors, readDocParts } from './updates';

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
  });
}

appendContract('pglite', () => openDatabase({ memory: true }, silentLogger()));

let pg: TestPostgres | undefined;
appendContract('postgresql', async () => {
  pg = await startPostgres();
  const database = await openDatabase({ url: pg.url }, silentLogger());
  return {
    ...database,
    close: async () => {
      await database.close();
      await pg?.stop();
    },
  };
});
