import { collapseDoc } from '@preau/protocol/docs-model';
import { type Kysely, sql } from 'kysely';
import { holdCoversAct } from '../archive/liveHolds';
import type { Schema } from '../db/schema';
import { recordTrace } from '../trace/recordTrace';
import { findDoc } from './documents';
import { type DocParts, historyBase, readDocParts } from './updates';

/** The actor history rewrites are recorded under (the archive's system actor). */
const SYSTEM = 'system';

/** How many times a rewrite recomputes when another rewrite of the same document won the race. */
const ATTEMPTS = 5;

/** Why a document's stored history is rewritten. */
export type HistoryRewriteReason = 'erasure' | 'retention';

/** A history rewritten: its new base and what live copies of the document must apply. */
export interface RewrittenHistory {
  docId: string;
  space: string;
  /** The base's sequence number: the updates up to it became this one version. */
  seq: number;
  /** How many stored updates the base replaced. */
  replaced: number;
  /** Deletes the erased items in a live copy (empty when nothing was erased). */
  deletion: Uint8Array;
}

/** What became of a rewrite request. */
export type RewriteOutcome =
  | ({ ok: true } & RewrittenHistory)
  | {
      ok: false;
      /** missing: no such document; nothing: nothing to erase or to expire; held: a legal hold covers it. */
      why: 'missing' | 'nothing' | 'held';
    };

/**
 * Replaces the stored history of a document up to `upto` (default: its last
 * update) by one version: the document as it was after `upto`, with the
 * items of `eraseClients` deleted, garbage-collected. In one transaction:
 * the updates up to `upto` and every snapshot go (later snapshots merged
 * the old updates, deleted text included), the base is stored as update
 * `upto` (author `system`, the time of the update it stands for), the
 * erased clients leave the authorship table, the rewrite is logged in
 * doc_history_rewrite and recorded in the trace log (kind `doc.rewritten`,
 * no text). Updates after `upto` stay as they are, and `doc.last_seq` does
 * not move, so appends and compaction carry on from where they were.
 *
 * The Yjs work runs outside the transaction; the transaction then checks
 * that no other rewrite came in between (else it starts again) and that no
 * legal hold covers any replaced update (then nothing changes: `held`).
 */
export async function rewriteDocHistory(
  db: Kysely<Schema>,
  input: {
    docId: string;
    reason: HistoryRewriteReason;
    upto?: number;
    eraseClients?: ReadonlySet<number>;
    now?: Date;
  },
): Promise<RewriteOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const doc = await findDoc(db, input.docId);
    if (!doc) return { ok: false, why: 'missing' };
    const upto = input.upto ?? doc.lastSeq;
    const parts = await readDocParts(db, input.docId, upto);
    const erasing = input.eraseClients !== undefined;
    if ((!erasing && upto <= parts.base) || (!parts.snapshot && parts.updates.length === 0)) {
      return { ok: false, why: 'nothing' };
    }
    const { deletion, state, erased } = collapseDoc(bodiesOf(parts), input.eraseClients);
    if (erasing && !erased) return { ok: false, why: 'nothing' };
    const outcome = await db.transaction().execute(async (tx) => {
      await sql`SELECT id FROM doc WHERE id = ${input.docId} FOR UPDATE`.execute(tx);
      if ((await historyBase(tx, input.docId)).generation !== parts.generation) {
        return 'again' as const;
      }
      const held = await tx
        .selectFrom('doc_update as u')
        .innerJoin('doc as d', 'd.id', 'u.doc_id')
        .select('u.seq')
        .where('u.doc_id', '=', input.docId)
        .where('u.seq', '<=', upto)
        .where(holdCoversAct(sql.ref('d.space_id'), sql.ref('u.author'), sql.ref('u.at')))
        .limit(1)
        .executeTakeFirst();
      if (held) return 'held' as const;
      const last = await tx
        .selectFrom('doc_update')
        .select('at')
        .where('doc_id', '=', input.docId)
        .where('seq', '=', upto)
        .executeTakeFirst();
      const gone = await tx
        .deleteFrom('doc_update')
        .where('doc_id', '=', input.docId)
        .where('seq', '<=', upto)
        .executeTakeFirst();
      await tx.deleteFrom('doc_snapshot').where('doc_id', '=', input.docId).execute();
      await tx
        .insertInto('doc_update')
        .values({
          doc_id: input.docId,
          seq: upto,
          author: SYSTEM,
          at: last ? new Date(last.at) : (input.now ?? new Date()),
          body: state,
        })
        .execute();
      if (input.eraseClients && input.eraseClients.size > 0) {
        await tx
          .deleteFrom('doc_client')
          .where('doc_id', '=', input.docId)
          .where('client_id', 'in', [...input.eraseClients])
          .execute();
      }
      const replaced = Number(gone.numDeletedRows);
      await tx
        .insertInto('doc_history_rewrite')
        .values({
          doc_id: input.docId,
          generation: parts.generation + 1,
          seq: upto,
          reason: input.reason,
          replaced,
        })
        .execute();
      await recordTrace(tx, {
        actor: SYSTEM,
        kind: 'doc.rewritten',
        space: doc.space,
        subject: input.docId,
        ...(input.now ? { at: input.now } : {}),
        payload: { reason: input.reason, seq: upto, replaced, bytes: state.byteLength },
      });
      return { replaced };
    });
    if (outcome === 'again') continue;
    if (outcome === 'held') return { ok: false, why: 'held' };
    return {
      ok: true,
      docId: input.docId,
      space: doc.space,
      seq: upto,
      replaced: outcome.replaced,
      deletion,
    };
  }
  throw new Error(`the history of ${input.docId} kept changing during its rewrite`);
}

function bodiesOf(parts: DocParts): Uint8Array[] {
  const bodies = parts.updates.map((u) => u.body);
  return parts.snapshot ? [parts.snapshot.state, ...bodies] : bodies;
}

/** What a retention pass over document histories did. */
export interface DocExpiryReport {
  /** Histories whose expired versions were merged into one. */
  rewritten: number;
  /** Histories with expired versions kept because a legal hold covers them. */
  held: number;
}

/**
 * Merges the versions of each document's history older than its retention
 * cutoff into one (see rewriteDocHistory, reason `retention`): deleted text
 * that only those versions showed is gone, the document itself is intact,
 * and the versions since the cutoff stay browsable. `cutoffOf` gives a
 * space's cutoff; `before` (the earliest of them) bounds the search.
 */
export async function expireDocHistories(
  db: Kysely<Schema>,
  opts: { before: Date; cutoffOf: (space: string) => Promise<Date>; now?: Date },
): Promise<DocExpiryReport> {
  const candidates = await db
    .selectFrom('doc as d')
    .select(['d.id', 'd.space_id'])
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('doc_update as u')
          .select('u.seq')
          .whereRef('u.doc_id', '=', 'd.id')
          .where('u.at', '<', opts.before)
          .where(
            sql<boolean>`u.seq > COALESCE((SELECT max(r.seq) FROM doc_history_rewrite r WHERE r.doc_id = d.id), 0)`,
          ),
      ),
    )
    .orderBy('d.id')
    .execute();
  const report: DocExpiryReport = { rewritten: 0, held: 0 };
  for (const doc of candidates) {
    const cutoff = await opts.cutoffOf(doc.space_id);
    const expired = await db
      .selectFrom('doc_update')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('doc_id', '=', doc.id)
      .where('at', '<', cutoff)
      .executeTakeFirst();
    if (!expired?.seq) continue;
    const outcome = await rewriteDocHistory(db, {
      docId: doc.id,
      reason: 'retention',
      upto: Number(expired.seq),
      ...(opts.now ? { now: opts.now } : {}),
    });
    if (outcome.ok) report.rewritten += 1;
    else if (outcome.why === 'held') report.held += 1;
  }
  return report;
}
