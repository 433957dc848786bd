import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Logger } from 'pino';
import { openDatabase } from './Database';

/**
 * Writes to `file` a tarball of a new, migrated PGlite data folder, for
 * `PREAU_PGLITE_TEMPLATE` (see Database.ts): new embedded databases then
 * start from it instead of running `initdb` and every migration. Made with
 * this code's own migrations, so it is current for the run that makes it.
 */
export async function writePGliteTemplate(file: string, log: Logger): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'preau-pglite-template-'));
  try {
    const database = await openDatabase({ dataDir: dir }, log);
    await database.close();
    const pglite = await PGlite.create(dir, { extensions: { pg_trgm } });
    try {
      const tar = await pglite.dumpDataDir('none');
      await writeFile(file, new Uint8Array(await tar.arrayBuffer()));
    } finally {
      await pglite.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
