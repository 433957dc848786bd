import { randomUUID } from 'node:crypto';
import { PreauError } from '@preau/protocol';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema';
import type { DocsExecutor } from './documents';

/** One stored Yjs update of a document. */
export interface StoredUpdate {
  seq: number;
  author: string;
  at: Date;
  body: Uint8Array;
}

/** What loading a document (now or as it was) reads: a snapshot and the updates after it. */
export interface DocParts {
  snapshot: { seq: number; state: Uint8Array } | null;
  updates: StoredUpdate[];
  /**
   * The sequence number of the history's base (its latest rewrite, see
   * history.ts): no version before it exists; 0 when never rewritten.
   */
  base: number;
  /**
   * How many times the history was rewritten when these parts were read. A
   * snapshot compacted from them is stored only while it is still so.
   */
  generation: number;
}

/** One update to append: the exact Yjs update a transaction produced, and who made it. */
export interface NewDocUpdate {
  docId: string;
  author: string;
  body: Uint8Array;
  /** Yjs client ids seen in the update for the first time (authorship). */
  newClients?: readonly number[];
  at?: Date;
}

/** What became of one appended update. */
export type AppendResult =
  | { ok: true; seq: number; at: Date; space: string }
  | { ok: false; error: PreauError };

/**
 * Appends updates to their documents' histories, each with its author and
 * time and each recorded in the trace log, all in ONE statement (a group
 * commit: one commit for everything that arrived meanwhile, and one round
 * trip to the database whatever the number of updates and documents: with
 * PGlite every statement costs a crossing to its thread and a fixed
 * overhead larger than the work of a small insert). The statement is the
 * function `append_doc_updates` (migration 0790), planned once per
 * connection and its plan kept, rather than planned for every batch. It:
 *
 * - locks the documents' rows in id order (two nodes' batches cannot
 *   deadlock) and moves their counters; a document's updates get the next
 *   sequence numbers in the order given, so they commit in sequence order
 *   whichever node writes (a snapshot "up to seq N" never misses a later
 *   commit with a lower number);
 * - inserts the updates and the authorship of new Yjs client ids;
 * - records the trace of each update: the same rows `recordTraces` writes
 *   (kind `doc.update`, the author as actor, the document as subject,
 *   payload `{ seq, bytes }`, the update as body), numbered per space in the
 *   order given, with the space counters locked in space order after the
 *   documents' rows (as every writer does).
 *
 * Updates of archived or missing documents are refused one by one (nothing
 * is written for them); any other failure fails the whole batch.
 */
export async function appendDocUpdates(
  db: DocsExecutor,
  entries: readonly NewDocUpdate[],
): Promise<AppendResult[]> {
  if (entries.length === 0) return [];
  const ats = entries.map((entry) => entry.at ?? new Date());
  const clientOf: number[] = [];
  const clientIds: number[] = [];
  entries.forEach((entry, i) => {
    for (const client of new Set(entry.newClients ?? [])) {
      clientOf.push(i);
      clientIds.push(client);
    }
  });
  const stored = await sql<{ i: number; seq: number | string; space_id: string }>`
    SELECT i, seq, space_id FROM append_doc_updates(
      ${entries.map((_, i) => i)}::int4[], ${entries.map((e) => e.docId)}::text[],
      ${entries.map((e) => e.author)}::text[], ${ats}::timestamptz[],
      ${entries.map((e) => e.body)}::bytea[], ${clientOf}::int4[], ${clientIds}::int8[]
    )`.execute(db);
  const results: Array<AppendResult | undefined> = new Array(entries.length);
  for (const row of stored.rows) {
    const i = Number(row.i);
    results[i] = { ok: true, seq: Number(row.seq), at: ats[i]!, space: row.space_id };
  }
  const refused = [...new Set(entries.flatMap((entry, i) => (results[i] ? [] : [entry.docId])))];
  if (refused.length > 0) {
    const existing = new Set(
      (await db.selectFrom('doc').select('id').where('id', 'in', refused).execute()).map(
        (r) => r.id,
      ),
    );
    entries.forEach((entry, i) => {
      if (results[i]) return;
      const error = existing.has(entry.docId)
        ? new PreauError('forbidden', 'the document is archived')
        : new PreauError('not_found', 'no such document');
      results[i] = { ok: false, error };
    });
  }
  return results as AppendResult[];
}

/** Appends one update (see appendDocUpdates); refusals are thrown. */
export async function appendDocUpdate(
  db: DocsExecutor,
  entry: NewDocUpdate,
): Promise<{ seq: number; at: Date; space: string }> {
  const [result] = await appendDocUpdates(db, [entry]);
  if (!result!.ok) throw result!.error;
  return result!;
}

/**
 * The parts that rebuild a document up to `uptoSeq` (default: all): the
 * latest snapshot at or before it, and every update after the snapshot.
 * Read in one snapshot of the database (repeatable read), so a history
 * rewrite committing meanwhile is seen whole or not at all.
 */
export async function readDocParts(
  db: DocsExecutor,
  docId: string,
  uptoSeq?: number,
): Promise<DocParts> {
  const read = async (tx: DocsExecutor): Promise<DocParts> => {
    const { seq: base, generation } = await historyBase(tx, docId);
    let snapQuery = tx
      .selectFrom('doc_snapshot')
      .select(['seq', 'state'])
      .where('doc_id', '=', docId)
      .orderBy('seq', 'desc')
      .limit(1);
    if (uptoSeq !== undefined) snapQuery = snapQuery.where('seq', '<=', uptoSeq);
    const snap = await snapQuery.executeTakeFirst();
    const from = snap ? Number(snap.seq) : 0;
    let updQuery = tx
      .selectFrom('doc_update')
      .select(['seq', 'author', 'at', 'body'])
      .where('doc_id', '=', docId)
      .where('seq', '>', from)
      .orderBy('seq');
    if (uptoSeq !== undefined) updQuery = updQuery.where('seq', '<=', uptoSeq);
    const rows = await updQuery.execute();
    return {
      snapshot: snap ? { seq: Number(snap.seq), state: new Uint8Array(snap.state) } : null,
      updates: rows.map((r) => ({
        seq: Number(r.seq),
        author: r.author,
        at: new Date(r.at),
        body: new Uint8Array(r.body),
      })),
      base,
      generation,
    };
  };
  return db.isTransaction
    ? read(db)
    : (db as Kysely<Schema>).transaction().setIsolationLevel('repeatable read').execute(read);
}

/** A document's history base: its sequence number and generation (0 and 0 when never rewritten). */
export async function historyBase(
  db: DocsExecutor,
  docId: string,
): Promise<{ seq: number; generation: number }> {
  const row = await db
    .selectFrom('doc_history_rewrite')
    .select(['seq', 'generation'])
    .where('doc_id', '=', docId)
    .orderBy('generation', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { seq: Number(row?.seq ?? 0), generation: row?.generation ?? 0 };
}

/**
 * Snapshots kept of a document's past: the two newest, and the first of each
 * span of this many updates. A snapshot is the whole document, and one is
 * written every few hundred updates: kept all, a pad of 100,000 one-letter
 * updates typed at random places held 200 snapshots, 158 MB, for 2.6 MB of
 * updates (the total grows with the square of the history). Thinned, it
 * holds 22 (about 18 MB); a version of the history is rebuilt from the
 * snapshot at or before it plus at most this many updates and one
 * compaction's worth (5,500 with the defaults).
 */
export const SNAPSHOT_KEEP_EVERY = 5000;

/**
 * Stores a compacted snapshot (the merge of every update up to `seq`);
 * returns whether it was stored. Older snapshots are thinned out in the
 * same transaction (see `SNAPSHOT_KEEP_EVERY`). With `generation` (the
 * parts'), a snapshot merged from parts read before a history rewrite is
 * refused, so erased or expired text never comes back through a compaction
 * that raced the rewrite. The document row is share-locked first: a rewrite
 * under way finishes before the generation is checked.
 */
export async function storeDocSnapshot(
  db: DocsExecutor,
  input: {
    docId: string;
    seq: number;
    state: Uint8Array;
    generation?: number;
    /** The thinning's span (tests); `SNAPSHOT_KEEP_EVERY` unless told. */
    keepEvery?: number;
  },
): Promise<boolean> {
  const write = async (tx: DocsExecutor) => {
    await sql`SELECT id FROM doc WHERE id = ${input.docId} FOR SHARE`.execute(tx);
    const base = await historyBase(tx, input.docId);
    if (input.seq < base.seq) return false;
    if (input.generation !== undefined && input.generation !== base.generation) return false;
    const done = await tx
      .insertInto('doc_snapshot')
      .values({ doc_id: input.docId, seq: input.seq, state: input.state })
      .onConflict((oc) => oc.columns(['doc_id', 'seq']).doNothing())
      .executeTakeFirst();
    const stored = Number(done.numInsertedOrUpdatedRows ?? 0) > 0;
    if (stored) await thinSnapshots(tx, input.docId, input.keepEvery ?? SNAPSHOT_KEEP_EVERY);
    return stored;
  };
  return db.isTransaction ? write(db) : (db as Kysely<Schema>).transaction().execute(write);
}

/**
 * Deletes the snapshots of a document that are neither among its two newest
 * nor the first of their span of `every` updates. Each new snapshot leaves
 * at most one to delete (the one it pushes out of the two newest, unless
 * that one starts its span); the first one stored after this rule came
 * thins a document's whole past at once.
 */
async function thinSnapshots(tx: DocsExecutor, docId: string, every: number): Promise<void> {
  await sql`
    DELETE FROM doc_snapshot s
    WHERE s.doc_id = ${docId}
      AND s.seq < (SELECT n.seq FROM doc_snapshot n WHERE n.doc_id = ${docId}
                   ORDER BY n.seq DESC OFFSET 1 LIMIT 1)
      AND EXISTS (SELECT 1 FROM doc_snapshot e
                  WHERE e.doc_id = s.doc_id AND e.seq < s.seq
                    AND e.seq / ${every}::bigint = s.seq / ${every}::bigint)`.execute(tx);
}

/** The sequence number of the latest snapshot (0 when none). */
export async function latestSnapshotSeq(db: DocsExecutor, docId: string): Promise<number> {
  const row = await db
    .selectFrom('doc_snapshot')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('doc_id', '=', docId)
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** The last update at or before a moment (0 when the document was still empty). */
export async function seqAt(db: DocsExecutor, docId: string, at: Date): Promise<number> {
  const row = await db
    .selectFrom('doc_update')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('doc_id', '=', docId)
    .where('at', '<=', at)
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** One update's metadata (no body), or null. */
export async function updateMeta(
  db: DocsExecutor,
  docId: string,
  seq: number,
): Promise<{ seq: number; author: string; at: Date } | null> {
  const row = await db
    .selectFrom('doc_update')
    .select(['seq', 'author', 'at'])
    .where('doc_id', '=', docId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row ? { seq: Number(row.seq), author: row.author, at: new Date(row.at) } : null;
}

/** The latest rewrite of a document's history: its first remaining version, why, and when. */
export interface HistoryBase {
  seq: number;
  reason: 'erasure' | 'retention';
  /** How many stored updates it replaced. */
  replaced: number;
  rewrittenAt: Date;
}

/** The span of a document's history, who wrote in it, and its base when it was rewritten. */
export async function historySpan(
  db: DocsExecutor,
  docId: string,
): Promise<{
  updates: number;
  first: Date | null;
  last: Date | null;
  authors: string[];
  base: HistoryBase | null;
}> {
  const span = await db
    .selectFrom('doc_update')
    .select((eb) => [
      eb.fn.max('seq').as('last_seq'),
      eb.fn.min('at').as('first'),
      eb.fn.max('at').as('last'),
    ])
    .where('doc_id', '=', docId)
    .executeTakeFirst();
  const authors = await db
    .selectFrom('doc_client')
    .select('person_id')
    .distinct()
    .where('doc_id', '=', docId)
    .orderBy('person_id')
    .execute();
  const base = await db
    .selectFrom('doc_history_rewrite')
    .select(['seq', 'reason', 'replaced', 'rewritten_at'])
    .where('doc_id', '=', docId)
    .orderBy('generation', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    updates: Number(span?.last_seq ?? 0),
    first: span?.first ? new Date(span.first) : null,
    last: span?.last ? new Date(span.last) : null,
    authors: authors.map((a) => a.person_id),
    base: base
      ? {
          seq: Number(base.seq),
          reason: base.reason,
          replaced: base.replaced,
          rewrittenAt: new Date(base.rewritten_at),
        }
      : null,
  };
}

/** Which person wrote with each Yjs client id of a document. */
export async function docClientAuthors(
  db: DocsExecutor,
  docId: string,
): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('doc_client')
    .select(['client_id', 'person_id'])
    .where('doc_id', '=', docId)
    .execute();
  return new Map(rows.map((r) => [Number(r.client_id), r.person_id]));
}

/** Every Yjs client id already attributed in a document. */
export async function knownDocClients(db: DocsExecutor, docId: string): Promise<Set<number>> {
  return new Set((await docClientAuthors(db, docId)).keys());
}

/**
 * The reads of opening a document, run on no document (a process warming
 * up: see the docs server's `warmUp`): its parts and authors, and 64 kB of
 * bytea read the way a snapshot is (a megabyte warmed no better and left
 * PGlite's memory, which never shrinks, 100 MB larger). Reads only.
 */
export async function warmDocReads(db: DocsExecutor): Promise<void> {
  const nobody = '~warm-up';
  await Promise.all([readDocParts(db, nobody), knownDocClients(db, nobody)]);
  await sql`SELECT decode(repeat('00', 65536), 'hex') AS state`.execute(db);
}

/** Thrown to roll a warm-up's transaction back. */
class WarmUpRollback extends Error {}

/**
 * The writes of typing, run on documents of its own in ONE transaction that
 * is rolled back (a process warming up: see the docs server's `warmUp`):
 * batches of updates appended and traced as `appendDocUpdates` stores them,
 * and now and then the parts read and a snapshot stored as a compaction
 * does. On PGlite the statements' hot WebAssembly is then compiled for
 * speed before the first editor types, instead of while a class types
 * (load-tests/README.md, "The writes warmed before listening"). Nothing is
 * kept: no document, update, snapshot, trace or counter; the documents'
 * ids are the process's own, so warm-ups of two nodes never wait on each
 * other. Stops after `rounds` batches or `maxMs`, whichever comes first.
 */
export async function warmDocWrites(
  db: DocsExecutor,
  bodies: readonly Uint8Array[],
  opts: { rounds: number; maxMs: number },
): Promise<number> {
  if (db.isTransaction) throw new Error('a warm-up runs in a transaction of its own');
  const started = performance.now();
  const tag = `~warm-up-${randomUUID()}`;
  const docs = [`${tag}-a`, `${tag}-b`, `${tag}-c`];
  let done = 0;
  await (db as Kysely<Schema>)
    .transaction()
    .execute(async (tx) => {
      await tx
        .insertInto('doc')
        .values(
          docs.map((id) => ({
            id,
            space_id: tag,
            kind: 'pad' as const,
            title: '',
            created_by: tag,
            archived_at: null,
          })),
        )
        .execute();
      while (done < opts.rounds && performance.now() - started < opts.maxMs) {
        await appendDocUpdates(
          tx,
          bodies.map((body, i) => ({
            docId: docs[i % docs.length]!,
            author: `${tag}-${i % 5}`,
            body,
            newClients: [done * bodies.length + i],
          })),
        );
        done += 1;
        if (done % 10 === 0) {
          const parts = await readDocParts(tx, docs[0]!);
          await storeDocSnapshot(tx, {
            docId: docs[0]!,
            seq: parts.updates.at(-1)?.seq ?? 0,
            state: parts.updates[0]?.body ?? new Uint8Array(),
            generation: parts.generation,
          });
        }
      }
      throw new WarmUpRollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof WarmUpRollback)) throw err;
    });
  return done;
}
