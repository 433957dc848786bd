import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@preau/protocol/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import { foldedPersonName, likeOf } from '../identity/nameSearch';
import { readOutbox, recordTrace } from '../trace/recordTrace';
import { type Database, openDatabase } from './Database';
import { migrate } from './migrate';

/** One contract, run against every engine the data layer supports. */
function databaseContract(engine: string, open: () => Promise<Database>) {
  describe(`data layer on ${engine}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
    });
    afterAll(() => database.close());

    it('applies migrations once and records them', async () => {
      const again = await migrate(database.db as never, silentLogger());
      expect(again).toEqual([]);
      const rows = await sql<{ name: string }>`SELECT name FROM preau_migrations`.execute(
        database.db,
      );
      expect(rows.rows.map((r) => r.name)).toContain('0001_trace_outbox.sql');
    });

    it('numbers trace records per space without gaps, even when written concurrently', async () => {
      const space = `space_${engine}_seq`;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          recordTrace(database.db, { actor: `p${i}`, kind: 'system.test', space, payload: { i } }),
        ),
      );
      await recordTrace(database.db, { actor: 'other', kind: 'system.test', space: `${space}_b` });
      const records = await readOutbox(database.db, space);
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await readOutbox(database.db, `${space}_b`)).map((r) => r.seq)).toEqual([1]);
    });

    it('keeps payloads and binary bodies intact', async () => {
      const space = `space_${engine}_body`;
      const body = new Uint8Array([0, 1, 2, 250, 255]);
      const at = new Date('2026-09-01T08:00:00.000Z');
      await recordTrace(database.db, {
        actor: 'p1',
        kind: 'doc.update',
        space,
        subject: 'pad_1',
        at,
        payload: { nested: { list: [1, 'deux'] }, accent: 'élève' },
        body,
      });
      const [record] = await readOutbox(database.db, space);
      expect(record?.payload).toEqual({ nested: { list: [1, 'deux'] }, accent: 'élève' });
      expect([...(record?.body ?? [])]).toEqual([...body]);
      expect(record?.at.toISOString()).toBe(at.toISOString());
      expect(record?.subject).toBe('pad_1');
    });

    it('carries binary parameters exactly: a view into a larger buffer, every byte value, megabytes, arrays', async () => {
      const every = Uint8Array.from({ length: 256 }, (_, i) => i);
      const backing = new Uint8Array(300).fill(7);
      backing.set(every, 20);
      const view = backing.subarray(20, 276); // what Buffer pools hand out
      const large = new Uint8Array(3_000_000).map((_, i) => (i * 31) % 256);
      const one = await sql<{ b: Uint8Array }>`SELECT ${view}::bytea AS b`.execute(database.db);
      expect(Buffer.from(one.rows[0]!.b).equals(Buffer.from(every))).toBe(true);
      const big = await sql<{ n: number; d: string }>`
        SELECT length(${large}::bytea) AS n, md5(${large}::bytea) AS d`.execute(database.db);
      expect(Number(big.rows[0]!.n)).toBe(large.length);
      expect(big.rows[0]!.d).toBe(createHash('md5').update(large).digest('hex'));
      const many = await sql<{ b: Uint8Array }>`
        SELECT b FROM unnest(${[view, new Uint8Array(0), every.subarray(250)]}::bytea[]) AS b`.execute(
        database.db,
      );
      expect(many.rows.map((r) => [...r.b])).toEqual([
        [...every],
        [],
        [250, 251, 252, 253, 254, 255],
      ]);
    });

    it('rolls the trace back with the act that failed', async () => {
      const space = `space_${engine}_rollback`;
      await expect(
        database.db.transaction().execute(async (tx) => {
          await recordTrace(tx, { actor: 'p1', kind: 'system.test', space });
          throw new Error('the act failed');
        }),
      ).rejects.toThrow('the act failed');
      expect(await readOutbox(database.db, space)).toEqual([]);
      await recordTrace(database.db, { actor: 'p1', kind: 'system.test', space });
      expect((await readOutbox(database.db, space)).map((r) => r.seq)).toEqual([1]);
    });

    it('reports a refused statement with PostgreSQL’s own code and keeps working', async () => {
      const space = `space_${engine}_dup`;
      await recordTrace(database.db, { actor: 'p1', kind: 'system.test', space });
      const duplicate = database.db
        .insertInto('trace_space')
        .values({ space_id: space, last_seq: 9 })
        .execute();
      await expect(duplicate).rejects.toMatchObject({ code: '23505' });
      await recordTrace(database.db, { actor: 'p1', kind: 'system.test', space });
      expect((await readOutbox(database.db, space)).map((r) => r.seq)).toEqual([1, 2]);
    });

    it('finds people by name, accents and case aside, through the trigram index', async () => {
      await database.db
        .insertInto('person')
        .values([
          { id: 'p_search_1', login: 'search.1', given_name: 'Léa', family_name: 'Le Bihan' },
          { id: 'p_search_2', login: 'search.2', given_name: 'Lucas', family_name: 'Éon' },
        ])
        .execute();
      const find = (word: string) =>
        database.db
          .selectFrom('person')
          .select('id')
          .where(foldedPersonName(), 'like', likeOf(word))
          .where('id', 'like', 'p_search_%')
          .orderBy('id')
          .execute();
      expect(await find('lea')).toEqual([{ id: 'p_search_1' }]);
      expect(await find('EON'.toLowerCase())).toEqual([{ id: 'p_search_2' }]);
      expect(await find('bihan')).toEqual([{ id: 'p_search_1' }]);
      const plan = await database.db.connection().execute(async (conn) => {
        await sql`SET enable_seqscan = off`.execute(conn);
        try {
          const rows = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT id FROM person
            WHERE ${foldedPersonName()} LIKE ${likeOf('bihan')}`.execute(conn);
          return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
        } finally {
          await sql`RESET enable_seqscan`.execute(conn);
        }
      });
      expect(plan).toContain('person_name_search');
      await database.db.deleteFrom('person').where('id', 'like', 'p_search_%').execute();
    });

    it('refuses a malformed trace input and writes nothing', async () => {
      const space = `space_${engine}_bad`;
      await expect(
        recordTrace(database.db, { actor: 'p1', kind: 'not.a.kind' as never, space }),
      ).rejects.toThrow();
      await expect(
        recordTrace(database.db, { actor: '', kind: 'system.test', space }),
      ).rejects.toThrow();
      expect(await readOutbox(database.db, space)).toEqual([]);
    });
  });
}

databaseContract('pglite', () => openDatabase({ memory: true }, silentLogger()));

databaseContract('postgresql', openPostgresDatabase);

describe('PGlite in a folder', () => {
  it('keeps its data across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preau-pglite-'));
    try {
      const first = await openDatabase({ dataDir: dir }, silentLogger());
      await recordTrace(first.db, { actor: 'p1', kind: 'system.test', space: 'persist' });
      await first.close();
      const second = await openDatabase({ dataDir: dir }, silentLogger());
      const records = await readOutbox(second.db, 'persist');
      await second.close();
      expect(records.map((r) => r.actor)).toEqual(['p1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PGlite background statements', () => {
  it('go after the live ones waiting for the connection, and still advance under constant traffic', async () => {
    const database = await openDatabase({ memory: true }, silentLogger());
    try {
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      // A background transaction holds the one connection…
      const segment = database.background.transaction().execute(async (tx) => {
        await sql`SELECT 1`.execute(tx);
        await held;
        order.push('segment');
      });
      await new Promise((r) => setTimeout(r, 50));
      // …while another background statement, then a live one, ask for it.
      const next = sql`SELECT 1`.execute(database.background).then(() => order.push('background'));
      const live = sql`SELECT 1`.execute(database.db).then(() => order.push('live'));
      release();
      await Promise.all([segment, next, live]);
      expect(order).toEqual(['segment', 'live', 'background']);

      // Live statements queued without end do not starve a waiting background one.
      order.length = 0;
      const busy = Array.from({ length: 30 }, (_, i) =>
        sql`SELECT ${i}::int`.execute(database.db).then(() => order.push(`live${i}`)),
      );
      const late = sql`SELECT 1`.execute(database.background).then(() => order.push('background'));
      await Promise.all([...busy, late]);
      expect(order.indexOf('background')).toBeGreaterThan(-1);
      expect(order.indexOf('background')).toBeLessThan(order.length - 1);
    } finally {
      await database.close();
    }
  });
});
