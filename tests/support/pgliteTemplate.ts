// Vitest's global set-up: one migrated PGlite data folder for the whole run,
// which every embedded database the tests open starts from
// (PREAU_PGLITE_TEMPLATE, read by storage/src/db/Database.ts): a fresh
// database otherwise runs initdb and every migration, 3 to 5 s of a test
// file's start on this machine, about a hundred times per run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@preau/protocol/server';
import { writePGliteTemplate } from '@preau/storage';

export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'preau-test-template-'));
  const file = join(dir, 'pglite.tar');
  await writePGliteTemplate(file, silentLogger());
  // Set before the workers start: each inherits it, and so does every server they spawn.
  process.env.PREAU_PGLITE_TEMPLATE = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
