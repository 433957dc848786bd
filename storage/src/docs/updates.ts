import { PreauError } from '@preau/protocol';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema';
import { recordTraces } from '../trace/recordTrace';
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
 * time and each recorded in the trace log, all in one transaction (a group
 * commit: one commit for everything that arrived meanwhile), in a fixed
 * number of statements whatever the number of documents. Each document's
 * row is locked while its counter moves, so one document's updates commit in
 * sequence order whichever node writes (a snapshot "up to seq N" never misses
 * a later commit with a lower number). Updates of archived or missing
 * documents are refused one by one; any other failure fails the whole batch.
 */
export async function appendDocUpdates(
  db: DocsExecutor,
  entries: readonly NewDocUpdate[],
): Promise<AppendResult[]> {
  if (entries.length === 0) return [];
  const write = async (tx: DocsExecutor) => {
    const results: AppendResult[] = new Array(entries.length);
    const byDoc = new Map<string, number[]>();
    entries.forEach((entry, i) => {
      const list = byDoc.get(entry.docId) ?? [];
      list.push(i);
      byDoc.set(entry.docId, list);
    });
    const docIds = [...byDoc.keys()].sort();
    // Every document's row locked in id order (two nodes' batches cannot
    // deadlock), then all counters moved in one statement: the statements of
    // a batch do not grow with the number of documents it touches.
    if (docIds.length > 1) {
      await sql`SELECT id FROM doc WHERE id IN (${sql.join(docIds)}) ORDER BY id FOR UPDATE`.execute(
        tx,
      );
    }
    const counts = sql.join(docIds.map((id) => sql`(${id}::text, ${byDoc.get(id)!.length}::int8)`));
    const bumped = await sql<{ id: string; last_seq: number | string; space_id: string }>`
      UPDATE doc SET last_seq = doc.last_seq + v.n, updated_at = now()
      FROM (VALUES ${counts}) AS v(id, n)
      WHERE doc.id = v.id AND doc.archived_at IS NULL
      RETURNING doc.id, doc.last_seq, doc.space_id`.execute(tx);
    const bumpedById = new Map(bumped.rows.map((r) => [r.id, r]));
    const refused = docIds.filter((id) => !bumpedById.has(id));
    const existing = new Set(
      refused.length === 0
        ? []
        : (await tx.selectFrom('doc').select('id').where('id', 'in', refused).execute()).map(
            (r) => r.id,
          ),
    );
    const updateRows: Array<{
      doc_id: string;
      seq: number;
      author: string;
      at: Date;
      body: Uint8Array;
    }> = [];
    const clients: Array<{
      doc_id: string;
      client_id: number;
      person_id: string;
      first_seq: number;
    }> = [];
    for (const docId of docIds) {
      const indexes = byDoc.get(docId)!;
      const row = bumpedById.get(docId);
      if (!row) {
        const error = existing.has(docId)
          ? new PreauError('forbidden', 'the document is archived')
          : new PreauError('not_found', 'no such document');
        for (const i of indexes) results[i] = { ok: false, error };
        continue;
      }
      const first = Number(row.last_seq) - indexes.length + 1;
      indexes.forEach((i, k) => {
        const entry = entries[i]!;
        const seq = first + k;
        const at = entry.at ?? new Date();
        updateRows.push({ doc_id: docId, seq, author: entry.author, at, body: entry.body });
        for (const client of entry.newClients ?? []) {
          clients.push({
            doc_id: docId,
            client_id: client,
            person_id: entry.author,
            first_seq: seq,
          });
        }
        results[i] = { ok: true, seq, at, space: row.space_id };
      });
    }
    if (updateRows.length > 0) await tx.insertInto('doc_update').values(updateRows).execute();
    if (clients.length > 0) {
      await tx
        .insertInto('doc_client')
        .values(clients)
        .onConflict((oc) => oc.columns(['doc_id', 'client_id']).doNothing())
        .execute();
    }
    // Trace records last, space by space (recordTraces sorts them): every
    // writer locks document rows (in id order) before trace counters (in
    // space order), so two nodes' batches cannot deadlock.
    const traced = results.flatMap((result, i) =>
      result.ok ? [{ result, entry: entries[i]! }] : [],
    );
    await recordTraces(
      tx,
      traced.map(({ result, entry }) => ({
        actor: entry.author,
        kind: 'doc.update' as const,
        space: result.space,
        subject: entry.docId,
        at: result.at,
        payload: { seq: result.seq, bytes: entry.body.byteLength },
        body: entry.body as Uint8Array<ArrayBuffer>,
      })),
    );
    return results;
  };
  return db.isTransaction ? write(db) : db.transaction().execute(write);
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
 * Stores a compacted snapshot (the merge of every update up to `seq`);
 * returns whether it was stored. With `generation` (the parts'), a snapshot
 * merged from parts read before a history rewrite is refused, so erased or
 * expired text never comes back through a compaction that raced the rewrite.
 * The document row is share-locked first: a rewrite under way finishes
 * before the generation is checked.
 */
export async function storeDocSnapshot(
  db: DocsExecutor,
  input: { docId: string; seq: number; state: Uint8Array; generation?: number },
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
    return Number(done.numInsertedOrUpdatedRows ?? 0) > 0;
  };
  return db.isTransaction ? write(db) : (db as Kysely<Schema>).transaction().execute(write);
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
