import { background, env, readConfig } from '@preau/protocol/server';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database } from '../db/Database';
import type { ObjectStore } from '../objects/ObjectStore';
import { Archiver, type SegmentMax } from './Archiver';
import { loadArchiveSigner } from './keys';
import { applyPendingRedactions } from './redaction';
import { sweepRetention } from './retention';

/**
 * Records archived between two vacuums of the outbox on PGlite. A vacuum
 * reads the outbox's table and index, which the archiver keeps nearly
 * empty; without it they keep every row ever deleted.
 */
const OUTBOX_VACUUM_EVERY = 10_000;

/**
 * Records per segment at most, by engine, unless ARCHIVE_SEGMENT_MAX says.
 * A segment is committed in one transaction (its index rows, the chain head,
 * its outbox rows deleted), and PGlite has one connection: a live edit
 * arriving meanwhile waits for it. While a backlog of 20,000 records
 * drained beside an edit every 25 ms, edits waited p50 10 ms, p99 37–56 ms
 * with 1,000 per segment, and p50 6–7 ms, p99 19 ms with 250 (3 and 8–14 ms
 * with no drain); 250 per segment drain at about 60 % of the speed of
 * 1,000 (more segments to sign and store). So on PGlite a drain cuts
 * segments of 1,000 while no live work has had to wait for the connection
 * for `QUIET_AFTER_MS` (a night's backlog, an export at a quiet moment), and
 * of 250 otherwise. (load-tests/README.md, "PGlite without statistics or
 * autovacuum" and "Larger segments while nobody waits".)
 */
export const SEGMENT_MAX = { postgresql: 1000, pglite: 250 } as const;

/** PGlite's segment size while no live work waits for its connection. */
export const QUIET_SEGMENT_MAX = 1000;

/** How long no live work must have waited for PGlite's connection for a drain to be quiet. */
export const QUIET_AFTER_MS = 2000;

/** The segment size every archiver of this server uses: ARCHIVE_SEGMENT_MAX, else the engine's rule. */
export function segmentMaxFor(
  database: Pick<Database, 'engine' | 'liveWaitedAgoMs'>,
  config: Pick<ArchiveConfig, 'ARCHIVE_SEGMENT_MAX'>,
): SegmentMax {
  if (config.ARCHIVE_SEGMENT_MAX !== undefined) return config.ARCHIVE_SEGMENT_MAX;
  if (database.engine === 'postgresql') return SEGMENT_MAX.postgresql;
  return () =>
    database.liveWaitedAgoMs() >= QUIET_AFTER_MS ? QUIET_SEGMENT_MAX : SEGMENT_MAX.pglite;
}

/** The archive's background work, as the server starts and stops it. */
export interface RunningArchiver {
  archiver: Archiver;
  /** Runs one retention sweep now (also runs on its own every ARCHIVE_SWEEP_INTERVAL_MS). */
  sweep(): ReturnType<typeof sweepRetention>;
  close(): Promise<void>;
}

/** Reads the archive's settings from the environment (each has a default). */
export function readArchiveConfig(source: Record<string, string | undefined> = process.env) {
  return readConfig(
    {
      // How often the outbox is drained: records reach object storage within about this long.
      ARCHIVE_INTERVAL_MS: env.int(1000),
      // Records per segment at most: few objects, cheap rewrites when contents
      // are deleted. Unset: 1000 on PostgreSQL; on PGlite 250, or 1000 while no
      // live work waits for its connection (segmentMaxFor).
      ARCHIVE_SEGMENT_MAX: z.coerce.number().int().positive().optional(),
      // Pause between two segments of a drain, to leave room to live editing.
      ARCHIVE_PAUSE_MS: env.int(10),
      // A crashed node's claim on a space lapses after this long.
      ARCHIVE_LEASE_MS: env.int(30_000),
      // Retention is counted in days: an hourly sweep is precise enough.
      ARCHIVE_SWEEP_INTERVAL_MS: env.int(3_600_000),
      // Crash tests only: die (SIGKILL) at this point of the first segment.
      ARCHIVE_FAULT: z
        .enum(['after-segment-write', 'after-manifest-write', 'after-commit'])
        .optional(),
    },
    source,
  );
}

/** The archive's settings, frozen. */
export type ArchiveConfig = ReturnType<typeof readArchiveConfig>;

/**
 * Starts the archiver (drains the trace outbox into signed segments) and the
 * retention sweeper with the server, on its database and object store.
 * The archiver works in the background: it reads the outbox and writes one
 * transaction per segment; with PGlite, whose one connection live editing
 * shares, its statements wait while others do (a live edit still waits for
 * the segment transaction in progress, see load-tests/README.md).
 */
export async function startArchiver(
  services: {
    database: Database;
    objects: ObjectStore;
    log: Logger;
  },
  config: ArchiveConfig = readArchiveConfig(),
): Promise<RunningArchiver> {
  const log = services.log.child({ module: 'archive' });
  const { db } = services.database;
  const signer = await loadArchiveSigner(db);
  const archiver = new Archiver({
    // Background statements: with PGlite, live work waiting for the connection goes first.
    db: services.database.background,
    objects: services.objects,
    signer,
    log,
    segmentMax: segmentMaxFor(services.database, config),
    intervalMs: config.ARCHIVE_INTERVAL_MS,
    pauseMs: config.ARCHIVE_PAUSE_MS,
    leaseMs: config.ARCHIVE_LEASE_MS,
    faultPoint: config.ARCHIVE_FAULT,
    // PGlite has no autovacuum: the archiver reclaims the outbox rows it deleted.
    vacuumOutboxAfter: services.database.engine === 'pglite' ? OUTBOX_VACUUM_EVERY : 0,
  }).start();
  const deps = { db, objects: services.objects, signer, log };
  // A rewrite interrupted by a crash is finished first.
  await applyPendingRedactions(deps);
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    const run = sweeping.then(() => sweepRetention(deps));
    // Sweeps run one after the other; a failure is reported to whoever asked for the sweep.
    sweeping = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  const timer = setInterval(
    () => background(log, 'retention sweep', sweep),
    config.ARCHIVE_SWEEP_INTERVAL_MS,
  );
  timer.unref();
  let closing: Promise<void> | undefined;
  return {
    archiver,
    sweep,
    close: () => {
      closing ??= (async () => {
        clearInterval(timer);
        await sweeping;
        await archiver.close();
      })();
      return closing;
    },
  };
}
