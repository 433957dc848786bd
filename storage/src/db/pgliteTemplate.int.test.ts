import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger, silentLogger } from '@preau/protocol/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from './Database';
import { writePGliteTemplate } from './pgliteTemplate';

// A new embedded database starts from a migrated template when
// PREAU_PGLITE_TEMPLATE names one (the test runs do), and is then what a
// fresh one is; a database that already has data is never replaced by it.
describe('PGlite template', () => {
  let dir: string;
  let template: string;
  const before = process.env.PREAU_PGLITE_TEMPLATE;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'preau-template-it-'));
    template = join(dir, 'template.tar');
    delete process.env.PREAU_PGLITE_TEMPLATE;
    await writePGliteTemplate(template, silentLogger());
  });
  afterAll(async () => {
    if (before === undefined) delete process.env.PREAU_PGLITE_TEMPLATE;
    else process.env.PREAU_PGLITE_TEMPLATE = before;
    await rm(dir, { recursive: true, force: true });
  });

  /** The schema's tables, columns and indexes, and the migrations recorded. */
  async function shape(database: Database) {
    const { rows } = await sql<{ t: string; c: string }>`
      SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public' ORDER BY 1, 2`.execute(database.db);
    const { rows: indexes } = await sql<{ d: string }>`
      SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`.execute(
      database.db,
    );
    const { rows: migrations } = await sql<{ name: string }>`
      SELECT name FROM preau_migrations ORDER BY name`.execute(database.db);
    return {
      columns: rows.map((r) => `${r.t}.${r.c}`),
      indexes: indexes.map((i) => i.d),
      migrations: migrations.map((m) => m.name),
    };
  }

  it('opens a new database from the template, with nothing left to migrate, as a fresh one is', async () => {
    delete process.env.PREAU_PGLITE_TEMPLATE;
    const fresh = await openDatabase({ memory: true }, silentLogger());
    const expected = await shape(fresh);
    await fresh.close();

    process.env.PREAU_PGLITE_TEMPLATE = template;
    const { log, lines } = recordingLogger();
    const started = await openDatabase({ memory: true }, log);
    expect(lines.filter((l) => l.msg === 'migration applied')).toEqual([]);
    expect(await shape(started)).toEqual(expected);
    expect(expected.migrations.length).toBeGreaterThan(10);
    await started.close();
  });

  it('leaves a database that has data as it is', async () => {
    process.env.PREAU_PGLITE_TEMPLATE = template;
    const dataDir = join(dir, 'data');
    const first = await openDatabase({ dataDir }, silentLogger());
    await sql`CREATE TABLE kept (v text)`.execute(first.db);
    await sql`INSERT INTO kept VALUES ('écrit avant')`.execute(first.db);
    await first.close();
    const again = await openDatabase({ dataDir }, silentLogger());
    const { rows } = await sql<{ v: string }>`SELECT v FROM kept`.execute(again.db);
    expect(rows).toEqual([{ v: 'écrit avant' }]);
    await again.close();
  });
});
