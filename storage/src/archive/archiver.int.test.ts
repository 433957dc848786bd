import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ArchiveLine } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import { startTestS3 } from '../../../tests/support/s3';
import { type Database, openDatabase } from '../db/Database';
import { readOutbox, recordTrace } from '../trace/recordTrace';
import { Archiver, type ArchiverOptions, type FaultPoint } from './Archiver';
import { OUTBOX_READ_BODY_BYTES, readOutboxForArchive } from './ingest';
import { archivePublicKeys, loadArchiveSigner } from './keys';
import { parseSegmentKey, segmentsPrefix } from './layout';
import { readArchiveConfig, startArchiver } from './startArchiver';
import { verifyStoredSpace } from './verifyStored';

type S3 = Awaited<ReturnType<typeof startTestS3>>;

async function record(db: Database['db'], space: string, n: number, from = 0) {
  for (let i = from; i < from + n; i += 50) {
    await db.transaction().execute(async (tx) => {
      for (let j = i; j < Math.min(i + 50, from + n); j++) {
        await recordTrace(tx, {
          actor: `p${j % 7}`,
          kind: j % 3 === 0 ? 'doc.update' : 'chat.message',
          space,
          subject: j % 3 === 0 ? 'pad_1' : `m${j}`,
          payload: { text: `texte ${j}` },
          body: j % 3 === 0 ? new Uint8Array([j % 256, 1, 2]) : undefined,
        });
      }
    });
  }
}

/** An archiver of `db` into the test bucket, with the test's own options. */
async function archiverOf(db: Database['db'], s3: S3, options: Partial<ArchiverOptions> = {}) {
  return new Archiver({
    db,
    objects: s3.store,
    signer: await loadArchiveSigner(db),
    log: silentLogger(),
    ...options,
  });
}

/** The archive core, run against one database engine. */
function archiverContract(engine: string, open: () => Promise<Database>) {
  describe(`archiver on ${engine}`, () => {
    let database: Database;
    let s3: S3;
    beforeAll(async () => {
      [database, s3] = await Promise.all([open(), startTestS3()]);
    });
    afterAll(async () => {
      await database?.close();
      await s3?.close();
    });

    /** The lines of a space's sealed segments, in order. */
    const sealedLines = async (space: string): Promise<ArchiveLine[]> => {
      const keys = (await s3.store.list(segmentsPrefix(space))).filter((k) => k.endsWith('.jsonl'));
      const lines: ArchiveLine[] = [];
      for (const key of keys) {
        const text = new TextDecoder().decode((await s3.store.get(key))!).trim();
        for (const line of text.split('\n')) lines.push(JSON.parse(line) as ArchiveLine);
      }
      return lines;
    };

    it('drains the outbox into chained, signed segments and indexes every record', async () => {
      const { db } = database;
      await record(db, 'class_a', 1203);
      await record(db, 'class_b', 10);
      const archiver = await archiverOf(db, s3, { segmentMax: 500 });
      expect(await archiver.drain()).toBe(1213);
      await archiver.close();
      expect(await readOutbox(db, 'class_a')).toEqual([]);
      const keys = await archivePublicKeys(db);
      const a = await verifyStoredSpace(db, s3.store, 'class_a', keys);
      expect(a.problems).toEqual([]);
      expect(a.seqs).toEqual(Array.from({ length: 1203 }, (_, i) => i + 1));
      expect(
        (await s3.store.list(segmentsPrefix('class_a'))).filter((k) => k.endsWith('.jsonl')),
      ).toHaveLength(3);
      const indexed = await db
        .selectFrom('archive_record')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('space_id', '=', 'class_a')
        .where(sql<boolean>`people @> ARRAY['p3']::text[]`)
        .executeTakeFirstOrThrow();
      expect(Number(indexed.n)).toBe(
        Array.from({ length: 1203 }, (_, j) => j % 7 === 3).filter(Boolean).length,
      );
    });

    it('indexes each record with what its sealed line says', async () => {
      const { db } = database;
      const space = 'class_index';
      await db.transaction().execute(async (tx) => {
        await recordTrace(tx, {
          actor: 'p1',
          kind: 'membership.changed',
          space,
          subject: 'grp_1',
          payload: { member: 'p2', members: ['p3', 'p4'], note: 'p5' },
        });
        await recordTrace(tx, {
          actor: 'p6',
          kind: 'doc.update',
          space,
          subject: 'pad_9',
          payload: { seq: 1 },
          body: new Uint8Array(300).fill(7),
        });
      });
      // A time to the microsecond, as a row written with the database's now() has.
      await sql`UPDATE trace_outbox SET at = '2026-12-06 10:00:00.123987+00'
        WHERE space_id = ${space} AND seq = 2`.execute(db);
      const archiver = await archiverOf(db, s3, { segmentMax: 10 });
      expect(await archiver.drain()).toBe(2);
      await archiver.close();
      const lines = await sealedLines(space);
      const rows = await db
        .selectFrom('archive_record')
        .selectAll()
        .where('space_id', '=', space)
        .orderBy('seq')
        .execute();
      expect(rows.map((r) => Number(r.seq))).toEqual([1, 2]);
      rows.forEach((row, i) => {
        const line = lines[i]!;
        expect(row.kind).toBe(line.kind);
        expect(row.actor).toBe(line.content!.actor);
        expect(row.subject).toBe(line.content!.subject);
        expect(new Date(row.at).toISOString()).toBe(line.at);
        expect(row.content_hash).toBe(line.contentHash);
        expect(Number(row.segment_first)).toBe(1);
      });
      // The index holds the line's time exactly (to the millisecond), not the outbox's finer one.
      expect(lines[1]!.at).toBe('2026-12-06T10:00:00.123Z');
      const finer = await sql<{ n: number }>`SELECT count(*)::int AS n FROM archive_record
        WHERE space_id = ${space} AND at <> date_trunc('milliseconds', at)`.execute(db);
      expect(finer.rows[0]!.n).toBe(0);
      expect(rows[0]!.people).toEqual(['p1', 'p2', 'p3', 'p4']);
      expect(rows[0]!.body_bytes).toBeNull();
      expect(rows[1]!.people).toEqual(['p6']);
      expect(Number(rows[1]!.body_bytes)).toBe(300);
    });

    it('refuses an outbox with a gap wider than a segment, and archives nothing past it', async () => {
      const { db } = database;
      await record(db, 'class_gap', 30);
      await db
        .deleteFrom('trace_outbox')
        .where('space_id', '=', 'class_gap')
        .where('seq', '<=', 20)
        .execute();
      const archiver = await archiverOf(db, s3, { segmentMax: 10 });
      await expect(archiver.archiveSpace('class_gap')).rejects.toThrow(
        'outbox of class_gap starts at 21, expected 1',
      );
      await archiver.close();
      expect((await readOutbox(db, 'class_gap', 0, 100)).map((r) => r.seq)[0]).toBe(21);
      expect(await s3.store.list(segmentsPrefix('class_gap'))).toEqual([]);
      // The other tests drain every space: this broken one goes.
      await db.deleteFrom('trace_outbox').where('space_id', '=', 'class_gap').execute();
    });

    it('seals a body longer than a base64 line as one unbroken base64 string', async () => {
      const { db } = database;
      // PostgreSQL's base64 breaks its text every 76 characters (57 bytes).
      const body = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
      await recordTrace(db, { actor: 'p1', kind: 'doc.update', space: 'class_long', body });
      const archiver = await archiverOf(db, s3);
      expect(await archiver.drain()).toBe(1);
      await archiver.close();
      const [line] = await sealedLines('class_long');
      expect(line!.content!.body).toBe(Buffer.from(body).toString('base64'));
    });

    it('cuts a segment at 4 MB of bodies, the first record always in', async () => {
      const { db } = database;
      const space = 'class_heavy';
      // Eleven bodies of 1.5 MB: three per read (the third starts under 4 MB).
      const body = (i: number) => Uint8Array.from({ length: 1_500_000 }, (_, j) => (i + j) % 251);
      for (let i = 0; i < 11; i++)
        await recordTrace(db, { actor: 'p1', kind: 'doc.update', space, body: body(i) });
      expect(OUTBOX_READ_BODY_BYTES).toBe(4 * 1024 * 1024);
      expect((await readOutboxForArchive(db, space, 0, 1000)).map((r) => r.seq)).toEqual([1, 2, 3]);
      const archiver = await archiverOf(db, s3);
      expect(await archiver.drain()).toBe(11);
      await archiver.close();
      const keys = (await s3.store.list(segmentsPrefix(space))).filter((k) => k.endsWith('.jsonl'));
      expect(keys.map((k) => parseSegmentKey(k)?.last)).toEqual([3, 6, 9, 11]);
      const lines = await sealedLines(space);
      expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
      expect(lines[7]!.content!.body).toBe(Buffer.from(body(7)).toString('base64'));
      const v = await verifyStoredSpace(db, s3.store, space, await archivePublicKeys(db));
      expect(v.problems).toEqual([]);
    });

    it('continues the chain across drains while new records arrive', async () => {
      const { db } = database;
      const archiver = await archiverOf(db, s3, { segmentMax: 100 });
      await Promise.all([record(db, 'class_c', 300), archiver.drain(), archiver.drain()]);
      await record(db, 'class_c', 42, 300);
      await archiver.drain();
      await archiver.close();
      const c = await verifyStoredSpace(db, s3.store, 'class_c', await archivePublicKeys(db));
      expect(c.problems).toEqual([]);
      expect(c.seqs).toEqual(Array.from({ length: 342 }, (_, i) => i + 1));
    });

    it('lets only one of two archivers work on a space at a time', async () => {
      const { db } = database;
      await record(db, 'class_d', 250);
      const make = () => archiverOf(db, s3, { segmentMax: 40 });
      const [one, two] = await Promise.all([make(), make()]);
      const [x, y] = await Promise.all([one.archiveSpace('class_d'), two.archiveSpace('class_d')]);
      await one.drain();
      expect(x + y).toBeLessThanOrEqual(250);
      const d = await verifyStoredSpace(db, s3.store, 'class_d', await archivePublicKeys(db));
      expect(d.problems).toEqual([]);
      expect(d.seqs).toHaveLength(250);
      await Promise.all([one.close(), two.close()]);
    });
  });
}

archiverContract('pglite', () => openDatabase({ memory: true }, silentLogger()));

archiverContract('postgresql', openPostgresDatabase);

describe('the archiver on PGlite: one connection, no autovacuum', () => {
  let s3: S3;
  beforeAll(async () => {
    s3 = await startTestS3('preau-vacuum');
  });
  afterAll(async () => {
    await s3?.close();
  });

  /** The outbox's table and indexes on disk after `rounds` rounds of 600 records traced then archived. */
  async function outboxBytesAfter(rounds: number, vacuumOutboxAfter: number): Promise<number[]> {
    const database = await openDatabase({ memory: true }, silentLogger());
    try {
      const { db } = database;
      const archiver = await archiverOf(db, s3, { segmentMax: 200, vacuumOutboxAfter });
      const sizes: number[] = [];
      for (let round = 0; round < rounds; round++) {
        await record(db, `class_v${vacuumOutboxAfter}`, 600, round * 600);
        expect(await archiver.drain()).toBe(600);
        const { rows } = await sql<{ bytes: number | string }>`
          SELECT pg_total_relation_size('trace_outbox') AS bytes`.execute(db);
        sizes.push(Number(rows[0]!.bytes));
      }
      await archiver.close();
      return sizes;
    } finally {
      await database.close();
    }
  }

  it('reclaims the rows the archiver deleted: the outbox stops growing', async () => {
    const vacuumed = await outboxBytesAfter(4, 500);
    // Each round's rows take the room the previous rounds' left.
    expect(vacuumed[3]).toBe(vacuumed[1]);
    // Without the vacuum, every round adds its rows to the files for good.
    const never = await outboxBytesAfter(4, 0);
    expect(never[3]).toBeGreaterThan(2 * never[0]!);
    expect(never[3]).toBeGreaterThan(2 * vacuumed[3]!);
  });

  it('cuts segments of 1,000 while no live work waits for the connection, of 250 while some does', async () => {
    const database = await openDatabase({ memory: true }, silentLogger());
    const running = await startArchiver(
      { database, objects: s3.store, log: silentLogger() },
      readArchiveConfig({ ARCHIVE_INTERVAL_MS: '3600000' }),
    );
    const segmentsOf = async (space: string) =>
      (await s3.store.list(segmentsPrefix(space)))
        .filter((k) => k.endsWith('.jsonl'))
        .map((k) => parseSegmentKey(k));
    try {
      // Nobody else on the connection (a night's backlog): large segments.
      await record(database.db, 'class_quiet', 1300);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect(database.liveWaitedAgoMs()).toBeGreaterThan(2000);
      expect(await running.archiver.drain()).toBe(1300);
      expect(await segmentsOf('class_quiet')).toEqual([
        { first: 1, last: 1000 },
        { first: 1001, last: 1300 },
      ]);

      // Live work waiting for the connection (two people's statements in a
      // row, as in class): segments of 250, so that each waits less.
      await record(database.db, 'class_live', 600);
      let live = true;
      const busy = async () => {
        while (live) await database.db.selectFrom('doc').select('id').limit(1).execute();
      };
      const working = [busy(), busy()];
      await expect.poll(() => database.liveWaitedAgoMs()).toBeLessThan(100);
      try {
        expect(await running.archiver.drain()).toBe(600);
      } finally {
        live = false;
        await Promise.all(working);
      }
      expect(await segmentsOf('class_live')).toEqual([
        { first: 1, last: 250 },
        { first: 251, last: 500 },
        { first: 501, last: 600 },
      ]);
    } finally {
      await running.close();
      await database.close();
    }
  });
});

const WORKER = fileURLToPath(new URL('./worker-cli.ts', import.meta.url));

/** Runs the archiver once in a child process; resolves with how it ended. */
function runWorker(
  env: Record<string, string>,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, '--once'], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

/** The number of records a `--once` run reports it archived. */
function archivedBy(out: string): number | null {
  const m = /^\{"archived":(\d+)\}$/m.exec(out);
  return m ? Number(m[1]) : null;
}

describe('archiver killed mid-flush (child process, PostgreSQL, S3)', () => {
  let s3: S3;
  let database: Database & { url: string };
  let env: Record<string, string>;
  beforeAll(async () => {
    [database, s3] = await Promise.all([openPostgresDatabase(), startTestS3('preau-crash')]);
    env = {
      DATABASE_URL: database.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      S3_BUCKET: 'preau-crash',
      ARCHIVE_SEGMENT_MAX: '100',
    };
  });
  afterAll(async () => {
    await database?.close();
    await s3?.close();
  });

  /** Waits (on the database's clock, not the test's) until the killed archiver's claim on the space has lapsed. */
  async function claimLapsed(space: string) {
    await expect
      .poll(async () => {
        const { rows } = await sql<{ free: boolean }>`
          SELECT lease_until IS NULL OR lease_until < now() AS free
          FROM archive_space WHERE space_id = ${space}`.execute(database.db);
        return rows[0]?.free;
      })
      .toBe(true);
  }

  const points: FaultPoint[] = ['after-segment-write', 'after-manifest-write', 'after-commit'];
  // Two archiver processes start per case (each compiles the worker with tsx:
  // a couple of seconds here, tens of seconds on two loaded cores). Nothing
  // below is timed; the limit only stops a run that hangs.
  it.each(points)(
    'loses nothing and duplicates nothing when killed %s',
    async (point) => {
      const { db } = database;
      const space = `class_crash_${point.replaceAll('-', '_')}`;
      await record(db, space, 250);
      // The killed archiver's claim lapses quickly, so the restarted one may take over.
      const killed = await runWorker({ ...env, ARCHIVE_FAULT: point, ARCHIVE_LEASE_MS: '500' });
      expect(killed.signal, killed.out).toBe('SIGKILL');
      // Records written while the archiver was down join the same chain.
      await record(db, space, 30, 250);
      const left = await readOutbox(db, space, 0, 10_000);
      const orphans = await s3.store.list(segmentsPrefix(space));
      if (point === 'after-commit') expect(left[0]!.seq).toBe(101);
      else {
        // Killed between the object write and the commit: the segment is there, the rows too.
        expect(left[0]!.seq).toBe(1);
        expect(orphans.some((k) => k.endsWith('000000000100.jsonl'))).toBe(true);
      }
      // One restart, once the claim has lapsed, archives exactly what was left:
      // no second try hides a failure, and nothing is archived twice. (Its own
      // claim is the default 30 s, so a slow segment under load never lapses.)
      await claimLapsed(space);
      const restarted = await runWorker(env);
      expect(restarted.code, restarted.out).toBe(0);
      expect(archivedBy(restarted.out), restarted.out).toBe(left.length);
      expect(await readOutbox(db, space)).toEqual([]);
      const stored = await verifyStoredSpace(db, s3.store, space, await archivePublicKeys(db));
      expect(stored.problems).toEqual([]);
      expect(stored.seqs).toEqual(Array.from({ length: 280 }, (_, i) => i + 1));
      const indexed = await db
        .selectFrom('archive_record')
        .select('seq')
        .where('space_id', '=', space)
        .orderBy('seq')
        .execute();
      expect(indexed.map((r) => Number(r.seq))).toEqual(stored.seqs);
    },
    240_000,
  );

  it('rewrites a segment left by a killed run when the next run cuts shorter segments', async () => {
    const { db } = database;
    const space = 'class_crash_shorter';
    await record(db, space, 250);
    // Killed after writing segment 1–100 and its manifest, before the commit.
    const killed = await runWorker({
      ...env,
      ARCHIVE_FAULT: 'after-manifest-write',
      ARCHIVE_LEASE_MS: '500',
    });
    expect(killed.signal, killed.out).toBe('SIGKILL');
    await claimLapsed(space);
    // The next run cuts segments of 40 (as PGlite does while live work waits).
    const restarted = await runWorker({ ...env, ARCHIVE_SEGMENT_MAX: '40' });
    expect(restarted.code, restarted.out).toBe(0);
    expect(await readOutbox(db, space)).toEqual([]);
    const stored = await verifyStoredSpace(db, s3.store, space, await archivePublicKeys(db));
    expect(stored.problems).toEqual([]);
    expect(stored.seqs).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  }, 240_000);
});
