import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';

/** The folder of versioned SQL migrations, applied in file-name order. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/**
 * Applies every migration not yet recorded, each in its own transaction. An
 * advisory lock keeps two nodes starting together from applying one twice.
 */
export async function migrate(
  db: Kysely<unknown>,
  log: Logger,
  dir = MIGRATIONS_DIR,
): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  await sql`CREATE TABLE IF NOT EXISTS preau_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  const applied: string[] = [];
  for (const name of files) {
    const text = await readFile(`${dir}${name}`, 'utf8');
    const done = await db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(7365270)`.execute(tx);
      const seen = await sql<{
        name: string;
      }>`SELECT name FROM preau_migrations WHERE name = ${name}`.execute(tx);
      if (seen.rows.length > 0) return false;
      await sql.raw(text).execute(tx);
      await sql`INSERT INTO preau_migrations (name) VALUES (${name})`.execute(tx);
      return true;
    });
    if (done) {
      log.info({ migration: name }, 'migration applied');
      applied.push(name);
    }
  }
  return applied;
}
