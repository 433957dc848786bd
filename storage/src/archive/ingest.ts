import { type Kysely, sql, type Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import { type OutboxEntry, peopleOf } from './records';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** An outbox record as the archiver reads it, with its body's size for the index. */
export interface IngestEntry extends OutboxEntry {
  bodyBytes: number | null;
}

/**
 * The bodies one read of the outbox gathers at most (bytes; a record past
 * it waits for the next read, and the first always comes): the records
 * travel as one JSON text, which PostgreSQL builds whole (1 GB at most) and
 * PGlite in a WebAssembly memory that never shrinks.
 */
export const OUTBOX_READ_BODY_BYTES = 4 * 1024 * 1024;

/** A record of the outbox read below, as JSON: an entry before its space is added and its time parsed. */
type OutboxJson = Omit<OutboxEntry, 'space' | 'at'> & { at: string; body_bytes: number | null };

/**
 * A space's outbox records after `afterSeq`, in sequence order, for sealing:
 * the database hands each body over in base64 already (the form a line
 * carries), so the bytes are neither decoded from hex nor encoded again
 * here. PostgreSQL breaks base64 every 76 characters; the breaks are taken
 * out here, not by `translate()` in SQL, which cost PGlite (WebAssembly)
 * twice the rest of the statement: 60 instead of 20 ms per 1,000 records.
 * The records come as one JSON text, parsed once here: read as rows, a
 * thousand records were eight thousand fields that PGlite's driver copied
 * and converted one by one on its thread, then sent across as objects.
 * A record's time is cut to the millisecond as the drivers' dates are.
 * A read stops at `OUTBOX_READ_BODY_BYTES` of bodies (the segment is then
 * shorter; the next one starts where it ends).
 *
 * A space's records are numbered without gaps (the counter moves in the
 * record's transaction; only the archiver deletes), so the next `limit`
 * records are those numbered up to `afterSeq + limit`: the statement says
 * so, and its cost stays that of `limit` rows whatever the outbox holds.
 * (With `seq > afterSeq` alone, PGlite, which never gathers statistics,
 * estimated a hundred rows and read every row after `afterSeq` to sort
 * them: a 250-record read took 40 ms with 100,000 records waiting.)
 * An empty range with records after it is a gap: the first record after
 * it is returned, for the archiver to refuse.
 */
export async function readOutboxForArchive(
  db: Executor,
  space: string,
  afterSeq: number,
  limit: number,
): Promise<IngestEntry[]> {
  const read = async (until: number | null, count: number) => {
    const { rows } = await sql<{ records: string }>`
      SELECT coalesce(json_agg(json_build_object(
               'seq', seq, 'kind', kind, 'actor', actor, 'subject', subject, 'at', at,
               'payload', payload, 'body64', encode(body, 'base64'),
               'body_bytes', octet_length(body)) ORDER BY seq), '[]')::text AS records
      FROM (
        SELECT seq, kind, actor, subject, at, payload, body,
               sum(coalesce(octet_length(body), 0)) OVER (ORDER BY seq) AS upto
        FROM (
          SELECT seq, kind, actor, subject, at, payload, body
          FROM trace_outbox
          WHERE space_id = ${space} AND seq > ${afterSeq}
            ${until === null ? sql`` : sql`AND seq <= ${until}`}
          ORDER BY seq
          LIMIT ${count}
        ) AS next
      ) AS waiting
      WHERE upto - coalesce(octet_length(body), 0) < ${OUTBOX_READ_BODY_BYTES}`.execute(db);
    return JSON.parse(rows[0]?.records ?? '[]') as OutboxJson[];
  };
  let records = await read(afterSeq + limit, limit);
  if (records.length === 0) records = await read(null, 1);
  return records.map((r) => ({
    space,
    seq: Number(r.seq),
    kind: r.kind,
    actor: r.actor,
    subject: r.subject,
    at: new Date(r.at),
    payload: r.payload,
    body64: r.body64 === null ? null : r.body64.replaceAll('\n', ''),
    bodyBytes: r.body_bytes,
  }));
}

/**
 * Indexes a segment's records in one statement whatever their number: the
 * rows travel as one JSON document that the database expands
 * (`jsonb_to_recordset`), instead of ten bound parameters per row compiled
 * into a query of thousands of placeholders. A row indexed by an interrupted
 * run is pointed at the segment rewritten now.
 */
export async function indexRecords(
  tx: Executor,
  space: string,
  segmentFirst: number,
  entries: readonly IngestEntry[],
  contentHashes: readonly string[],
): Promise<void> {
  const rows = JSON.stringify(
    entries.map((e, i) => ({
      seq: e.seq,
      kind: e.kind,
      actor: e.actor,
      subject: e.subject,
      people: peopleOf(e),
      at: e.at.toISOString(),
      content_hash: contentHashes[i],
      body_bytes: e.bodyBytes,
    })),
  );
  await sql`
    INSERT INTO archive_record
      (space_id, seq, kind, actor, subject, people, at, segment_first, content_hash, body_bytes)
    SELECT ${space}::text, r.seq, r.kind, r.actor, r.subject, r.people, r.at, ${segmentFirst}::bigint,
           r.content_hash, r.body_bytes
    FROM jsonb_to_recordset(${rows}::jsonb) AS r(
      seq bigint, kind text, actor text, subject text, people text[], at timestamptz,
      content_hash text, body_bytes integer)
    ON CONFLICT (space_id, seq) DO UPDATE
      SET segment_first = EXCLUDED.segment_first, content_hash = EXCLUDED.content_hash`.execute(tx);
}
