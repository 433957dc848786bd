import { background, createLogger, env, readConfig } from '@preau/protocol/server';
import { z } from 'zod';
import { openDatabase } from '../db/Database';
import { S3ObjectStore } from '../objects/S3ObjectStore';
import { Archiver } from './Archiver';
import { loadArchiveSigner } from './keys';

/**
 * The archiver as a process of its own (`npx tsx storage/src/archive/worker-cli.ts
 * [--once]`): for deployments that run it apart from the web nodes, and for
 * the crash tests, which kill it on purpose at a fault point.
 */
async function main() {
  const config = readConfig({
    // The database whose outbox is drained (PostgreSQL; PGlite is single-process).
    DATABASE_URL: env.url('postgres', 'postgresql'),
    S3_ENDPOINT: env.url('http', 'https'),
    S3_ACCESS_KEY: z.string().min(1),
    S3_SECRET_KEY: z.string().min(1),
    S3_REGION: z.string().default('us-east-1'),
    S3_BUCKET: z.string().default('preau'),
    // Records per segment: large enough to keep objects few, small enough to rewrite cheaply.
    ARCHIVE_SEGMENT_MAX: env.int(1000),
    // Pause between drains when running continuously.
    ARCHIVE_INTERVAL_MS: env.int(1000),
    // A crashed archiver's claim on a space lapses after this long.
    ARCHIVE_LEASE_MS: env.int(30_000),
    // Crash tests only: die (SIGKILL) at this point.
    ARCHIVE_FAULT: z
      .enum(['after-segment-write', 'after-manifest-write', 'after-commit'])
      .optional(),
    LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  });
  const log = createLogger('preau-archiver', config.LOG_LEVEL);
  const database = await openDatabase({ url: config.DATABASE_URL }, log.child({ module: 'db' }));
  const objects = new S3ObjectStore({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    region: config.S3_REGION,
    bucket: config.S3_BUCKET,
  });
  await objects.ensureBucket(config.S3_REGION);
  const archiver = new Archiver({
    db: database.db,
    objects,
    signer: await loadArchiveSigner(database.db),
    log,
    segmentMax: config.ARCHIVE_SEGMENT_MAX,
    intervalMs: config.ARCHIVE_INTERVAL_MS,
    leaseMs: config.ARCHIVE_LEASE_MS,
    faultPoint: config.ARCHIVE_FAULT,
  });
  if (process.argv.includes('--once')) {
    const archived = await archiver.drain();
    process.stdout.write(`${JSON.stringify({ archived })}\n`);
    await database.close();
    return;
  }
  archiver.start();
  const stop = async () => {
    await archiver.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => background(log, 'stop the archiver', stop));
  process.once('SIGINT', () => background(log, 'stop the archiver', stop));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
