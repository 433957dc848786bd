import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { type ArchiveLine, GENESIS_HASH } from '@preau/protocol';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../db/schema';
import type { ObjectStore } from '../objects/ObjectStore';
import { type IngestEntry, indexRecords, readOutboxForArchive } from './ingest';
import type { ArchiveSigner } from './keys';
import { manifestKey, parseSegmentKey, segmentKey, segmentStartPrefix } from './layout';
import { buildManifest, sealSegment } from './records';

/** Records sealed between two turns of the event loop. */
const SEAL_SLICE = 250;

/** Where a test may make the archiver die on purpose (SIGKILL), to prove crash safety. */
export type FaultPoint = 'after-segment-write' | 'after-manifest-write' | 'after-commit';

/** Records per segment at most: a number, or a rule asked before each segment. */
export type SegmentMax = number | (() => number);

/** How the archiver runs. */
export interface ArchiverOptions {
  db: Kysely<Schema>;
  objects: ObjectStore;
  signer: ArchiveSigner;
  log: Logger;
  /** At most this many records per segment; a function is asked again for each segment. */
  segmentMax?: SegmentMax;
  /** Pause between two drains of the outbox. */
  intervalMs?: number;
  /**
   * Pause between two segments of a drain (milliseconds; 0 by default): the
   * archiver works in the background of live editing, which shares its
   * process and, with PGlite, its one database connection; a pause gives
   * them room between two segment transactions.
   */
  pauseMs?: number;
  /** How long a claim on a space protects it from another node's archiver (renewed per segment). */
  leaseMs?: number;
  /** Dies (SIGKILL) at this point of the first segment written; for crash tests only. */
  faultPoint?: FaultPoint;
  /** Called after each drain with the number of records archived (tests, metrics). */
  onDrained?: (records: number) => void;
  /**
   * VACUUM the outbox after this many records were archived (0: never).
   * PGlite runs PostgreSQL as one backend, without the autovacuum workers:
   * the rows the archiver deletes would stay in the outbox's table and
   * index for good, every drain's scan of the outbox would walk them, and
   * the embedded database's files would only grow. PostgreSQL's own
   * autovacuum does this on a server.
   */
  vacuumOutboxAfter?: number;
}

/**
 * Drains the trace outbox into hash-chained, signed segments in object
 * storage, in the background. Each segment is written to object storage
 * first, under a key fixed by its sequence numbers; then one transaction
 * indexes its records, moves the space's chain head and deletes the outbox
 * rows. A crash before the commit leaves the rows in the outbox and an
 * orphan segment that the next run rewrites under the same key (adopting its
 * range): nothing is lost, nothing is duplicated.
 */
export class Archiver {
  readonly #o: Required<Omit<ArchiverOptions, 'faultPoint' | 'onDrained'>> &
    Pick<ArchiverOptions, 'faultPoint' | 'onDrained'>;
  readonly #owner = `archiver-${randomUUID()}`;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #closed = false;
  #archivedSinceVacuum = 0;

  constructor(options: ArchiverOptions) {
    this.#o = {
      segmentMax: 1000,
      intervalMs: 1000,
      pauseMs: 0,
      leaseMs: 30_000,
      vacuumOutboxAfter: 0,
      ...options,
    };
  }

  /** Starts draining every `intervalMs` until closed. */
  start(): this {
    if (this.#closed) throw new Error('archiver closed');
    this.#schedule();
    return this;
  }

  #schedule() {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.drain().then(
        () => this.#schedule(),
        (err: unknown) => {
          this.#o.log.error({ err }, 'archive drain failed; retrying');
          this.#schedule();
        },
      );
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  /** Archives everything in the outbox now; resolves with the number of records archived. */
  drain(): Promise<number> {
    // One drain at a time: a caller arriving during a drain waits for it, then drains again.
    const previous = this.#running ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(() => this.#drainOnce());
    this.#running = next;
    return next;
  }

  async #drainOnce(): Promise<number> {
    const spaces = await this.#o.db
      .selectFrom('trace_outbox')
      .select('space_id')
      .distinct()
      .orderBy('space_id')
      .execute();
    let total = 0;
    let failure: unknown;
    for (const { space_id } of spaces) {
      if (this.#closed) break;
      // One space's failure (object storage unreachable…) does not hold the others back.
      try {
        total += await this.archiveSpace(space_id);
      } catch (err) {
        this.#o.log.error({ err, space: space_id }, 'archiving a space failed; will retry');
        failure ??= err;
      }
    }
    await this.#vacuumOutbox(total);
    if (failure) throw failure;
    this.#o.onDrained?.(total);
    return total;
  }

  /** Reclaims the outbox rows archived so far, once there are enough of them (see `vacuumOutboxAfter`). */
  async #vacuumOutbox(archived: number) {
    const every = this.#o.vacuumOutboxAfter;
    if (every <= 0 || this.#closed) return;
    this.#archivedSinceVacuum += archived;
    if (this.#archivedSinceVacuum < every) return;
    this.#archivedSinceVacuum = 0;
    try {
      await sql`VACUUM trace_outbox`.execute(this.#o.db);
    } catch (err) {
      // Archiving went well; the rows are reclaimed at the next vacuum.
      this.#o.log.warn({ err }, 'vacuum of the trace outbox failed');
    }
  }

  /** Archives a space's pending records; 0 when another node holds the space. */
  async archiveSpace(space: string): Promise<number> {
    const head = await this.#claim(space);
    if (!head) return 0;
    let archived = 0;
    try {
      let { lastSeq, lastHash } = head;
      for (;;) {
        if (archived > 0 && this.#o.pauseMs > 0) await sleep(this.#o.pauseMs);
        const max = this.#o.segmentMax;
        const size = typeof max === 'function' ? max() : max;
        const records = await readOutboxForArchive(this.#o.db, space, lastSeq, size);
        if (records.length === 0) break;
        if (records[0]!.seq !== lastSeq + 1) {
          throw new Error(
            `outbox of ${space} starts at ${records[0]!.seq}, expected ${lastSeq + 1}`,
          );
        }
        // Only the first segment of a claim can find one left by an interrupted
        // run: within a claim, each segment is written after the one before
        // committed under this lease, and a commit after another archiver
        // took the space over fails (see #commit).
        const batch = archived === 0 ? await this.#adoptOrphan(space, records) : records;
        const { lines, bytes } = await this.#seal(batch, lastHash);
        const sha256 = await this.#writeSegment(space, lines, bytes, lastHash);
        await this.#commit(space, batch, lines, sha256);
        this.#fault('after-commit');
        lastSeq = batch.at(-1)!.seq;
        lastHash = lines.at(-1)!.hash;
        archived += batch.length;
      }
    } finally {
      await this.#release(space);
    }
    return archived;
  }

  /**
   * Seals a segment's records a slice at a time, giving the event loop back
   * between slices: the archiver shares its process with live editing, which
   * must not wait behind a thousand records sealed in one go.
   */
  async #seal(batch: IngestEntry[], prev: string) {
    const lines: ArchiveLine[] = [];
    const parts: Uint8Array[] = [];
    for (let i = 0; i < batch.length; i += SEAL_SLICE) {
      if (i > 0) await nextTurn();
      const part = sealSegment(batch.slice(i, i + SEAL_SLICE), prev, this.#o.signer.saltFor);
      for (const line of part.lines) lines.push(line);
      parts.push(part.bytes);
      prev = part.lines.at(-1)!.hash;
    }
    if (parts.length === 1) return { lines, bytes: parts[0]! };
    const whole = Buffer.concat(parts);
    return { lines, bytes: new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength) };
  }

  /** Claims the space for this archiver and reads its chain head. */
  async #claim(space: string): Promise<{ lastSeq: number; lastHash: string } | null> {
    const leaseMs = this.#o.leaseMs;
    const res = await sql<{ last_seq: number | string; last_hash: string }>`
      INSERT INTO archive_space (space_id, last_seq, last_hash, lease_owner, lease_until)
      VALUES (${space}, 0, ${GENESIS_HASH}, ${this.#owner}, now() + ${leaseMs} * interval '1 millisecond')
      ON CONFLICT (space_id) DO UPDATE
        SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until
        WHERE archive_space.lease_until IS NULL
           OR archive_space.lease_until < now()
           OR archive_space.lease_owner = EXCLUDED.lease_owner
      RETURNING last_seq, last_hash`.execute(this.#o.db);
    const row = res.rows[0];
    return row ? { lastSeq: Number(row.last_seq), lastHash: row.last_hash } : null;
  }

  async #release(space: string) {
    await this.#o.db
      .updateTable('archive_space')
      .set({ lease_owner: null, lease_until: null })
      .where('space_id', '=', space)
      .where('lease_owner', '=', this.#owner)
      .execute();
  }

  /**
   * A segment already in object storage at this starting number was written
   * by a run that died before its commit: keep exactly its range, so its key
   * is rewritten rather than a second, overlapping segment created. When
   * this run's read is shorter than that segment (smaller segments while
   * live work waits, or the read's cap on bodies), the segment written now
   * ends earlier: the left one, never committed, is deleted (its records
   * are still in the outbox), or the archive's verification would find two
   * segments over the same records.
   */
  async #adoptOrphan(space: string, records: IngestEntry[]): Promise<IngestEntry[]> {
    const keys = await this.#o.objects.list(segmentStartPrefix(space, records[0]!.seq));
    const lasts = keys.map((k) => parseSegmentKey(k)?.last ?? 0).filter((l) => l > 0);
    const orphanLast = lasts.length > 0 ? Math.max(...lasts) : undefined;
    if (orphanLast === undefined) return records;
    const adopted = records.filter((r) => r.seq <= orphanLast);
    const batch = adopted.length > 0 ? adopted : records;
    this.#o.log.warn(
      { space, first: records[0]!.seq, last: orphanLast, rewrittenTo: batch.at(-1)!.seq },
      'rewriting a segment left by an interrupted archiver',
    );
    for (const key of keys) {
      if (parseSegmentKey(key)?.last !== batch.at(-1)!.seq) await this.#o.objects.delete(key);
    }
    return batch;
  }

  /** Writes the segment, then its signed manifest; returns the segment's SHA-256. */
  async #writeSegment(
    space: string,
    lines: ArchiveLine[],
    bytes: Uint8Array,
    prevHash: string,
  ): Promise<string> {
    const first = lines[0]!.seq;
    const last = lines.at(-1)!.seq;
    const key = segmentKey(space, first, last);
    const manifest = buildManifest(lines, bytes, {
      key,
      prevHash,
      revision: 1,
      sealedAt: new Date(),
    });
    const signed = { manifest, signature: this.#o.signer.signCanonical(manifest) };
    await this.#o.objects.put(key, bytes, 'application/x-ndjson');
    this.#fault('after-segment-write');
    await this.#o.objects.put(
      manifestKey(space, first, last),
      new TextEncoder().encode(JSON.stringify(signed)),
      'application/json',
    );
    this.#fault('after-manifest-write');
    return manifest.segment.sha256;
  }

  /** Indexes the segment's records, moves the chain head, empties the outbox: one transaction. */
  async #commit(space: string, records: IngestEntry[], lines: ArchiveLine[], sha256: string) {
    const first = lines[0]!;
    const last = lines.at(-1)!;
    await this.#o.db.transaction().execute(async (tx) => {
      await indexRecords(
        tx,
        space,
        first.seq,
        records,
        lines.map((l) => l.contentHash),
      );
      await tx
        .insertInto('archive_segment')
        .values({
          space_id: space,
          first_seq: first.seq,
          last_seq: last.seq,
          sha256,
          prev_hash: first.prev,
          last_hash: last.hash,
          first_at: new Date(first.at),
          last_at: new Date(last.at),
        })
        .onConflict((oc) =>
          oc.columns(['space_id', 'first_seq']).doUpdateSet({
            last_seq: last.seq,
            sha256,
            prev_hash: first.prev,
            last_hash: last.hash,
          }),
        )
        .execute();
      const moved = await tx
        .updateTable('archive_space')
        .set({
          last_seq: last.seq,
          last_hash: last.hash,
          lease_until: sql<Date>`now() + ${this.#o.leaseMs} * interval '1 millisecond'`,
        })
        .where('space_id', '=', space)
        .where('lease_owner', '=', this.#owner)
        .where('last_seq', '=', first.seq - 1)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) {
        throw new Error(`lost the archive lease on ${space}`);
      }
      // The segment's range only: the records before it left with earlier
      // segments, and a range from the space's start would walk the index
      // entries of every row ever deleted that no vacuum has removed yet.
      await tx
        .deleteFrom('trace_outbox')
        .where('space_id', '=', space)
        .where('seq', '>=', first.seq)
        .where('seq', '<=', last.seq)
        .execute();
    });
  }

  #fault(point: FaultPoint) {
    if (this.#o.faultPoint === point) {
      this.#o.log.warn({ point }, 'fault point reached: dying on purpose');
      process.kill(process.pid, 'SIGKILL');
    }
  }

  /** Stops the loop and waits for a drain in progress. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => 0);
  }
}
