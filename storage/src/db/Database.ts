import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { migrate } from './migrate';
import { PGlitePool } from './pglitePool';
import { PGliteThread } from './pgliteThread';
import type { Schema } from './schema';

/** Where the data lives: PostgreSQL by URL, or embedded PGlite in a folder (or in memory). */
export type DatabaseLocation = { url: string } | { dataDir: string } | { memory: true };

/** An open database: Kysely on top, which engine underneath, and how to close it. */
export interface Database {
  db: Kysely<Schema>;
  /**
   * The same database for background work (the archiver): with PGlite, its
   * statements get the one connection only when no live work waits for it;
   * with PostgreSQL, `db` itself (the server schedules its connections).
   */
  background: Kysely<Schema>;
  engine: 'postgresql' | 'pglite';
  /**
   * Milliseconds since live work last had to wait for the one connection
   * (PGlite); infinite with PostgreSQL, whose connections are not shared.
   * The archiver cuts larger segments while nobody waits (startArchiver).
   */
  liveWaitedAgoMs(): number;
  close(): Promise<void>;
}

/**
 * A tarball of a migrated PGlite data folder that new embedded databases
 * start from (`PREAU_PGLITE_TEMPLATE`): the test runs make one when they
 * start (tests/support/pgliteTemplate.ts), so that each of their hundred
 * databases skips `initdb` and the migrations. The migrations still run
 * after it (nothing left to apply when the template is current).
 */
function pgliteTemplate(): string | undefined {
  return process.env.PREAU_PGLITE_TEMPLATE || undefined;
}

/** Opens the database and applies pending migrations before returning. */
export async function openDatabase(where: DatabaseLocation, log: Logger): Promise<Database> {
  let db: Kysely<Schema>;
  let background: Kysely<Schema> | undefined;
  let engine: Database['engine'];
  let liveWaitedAgoMs = () => Number.POSITIVE_INFINITY;
  if ('url' in where) {
    const pool = new pg.Pool({ connectionString: where.url, max: 10, types: pgTypes });
    pool.on('error', (err) => log.error({ err }, 'idle database client failed'));
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    engine = 'postgresql';
  } else {
    if ('dataDir' in where) await mkdir(where.dataDir, { recursive: true });
    const fresh = !('dataDir' in where) || !existsSync(join(where.dataDir, 'PG_VERSION'));
    // PGlite runs on a thread of its own, so its queries never block this one.
    const pglite = new PGliteThread(
      'dataDir' in where ? where.dataDir : undefined,
      fresh ? pgliteTemplate() : undefined,
    );
    try {
      await pglite.ready();
    } catch (err) {
      await pglite.close().catch(() => undefined);
      throw err;
    }
    const pool = new PGlitePool(pglite);
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: pool as never }) });
    background = new Kysely<Schema>({
      dialect: new PostgresDialect({ pool: pool.background() as never }),
    });
    engine = 'pglite';
    liveWaitedAgoMs = () => pool.liveWaitedAgoMs();
  }
  try {
    await migrate(db as Kysely<unknown>, log);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    db,
    background: background ?? db,
    engine,
    liveWaitedAgoMs,
    close: () => {
      closed ??= (async () => {
        if (background) await background.destroy();
        await db.destroy();
      })();
      return closed;
    },
  };
}

/** node-postgres returns int8 as text; our sequence numbers fit a JS number, as PGlite gives them. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (v: string) => Number.parseInt(v, 10)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};
