import { silentLogger } from '@preau/protocol/server';
import { Archiver, type Database, loadArchiveSigner } from '@preau/storage';
import { startTestS3 } from './s3';

/** A database, a local S3 endpoint and an archiver over them, for the archive's tests. */
export interface ArchiveRig {
  database: Database;
  s3: Awaited<ReturnType<typeof startTestS3>>;
  archiver: Archiver;
}

/** Opens the database and a local S3 endpoint, and builds an archiver writing `segmentMax` records per segment. */
export async function startArchiveRig(
  open: () => Promise<Database>,
  segmentMax: number,
): Promise<ArchiveRig> {
  const [database, s3] = await Promise.all([open(), startTestS3()]);
  const archiver = new Archiver({
    db: database.db,
    objects: s3.store,
    signer: await loadArchiveSigner(database.db),
    log: silentLogger(),
    segmentMax,
  });
  return { database, s3, archiver };
}
