import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import type { DocsExecutor } from './documents';
import { historyBase } from './updates';

/**
 * The latest stored update of each of these documents (0 when none): one
 * cheap read of the document rows, for a docs node to see which of its
 * loaded documents another node has written since it last looked.
 */
export async function docLastSeqs(
  db: DocsExecutor,
  docIds: readonly string[],
): Promise<Map<string, number>> {
  if (docIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('doc')
    .select(['id', 'last_seq'])
    .where('id', 'in', [...docIds])
    .execute();
  return new Map(rows.map((r) => [r.id, Number(r.last_seq)]));
}

/** What a document stored after a given update: its later updates, or word that the history was rewritten past it. */
export type DocTail =
  | { rewritten: false; updates: Array<{ seq: number; body: Uint8Array }> }
  | { rewritten: true };

/**
 * The updates stored after `afterSeq`, read in one snapshot of the database.
 * When the history was rewritten past `afterSeq` (an erasure or retention
 * merged the older versions), the rows in between are gone: the caller then
 * reads the whole document again (readDocParts).
 */
export async function docUpdatesAfter(
  db: DocsExecutor,
  docId: string,
  afterSeq: number,
): Promise<DocTail> {
  const read = async (tx: DocsExecutor): Promise<DocTail> => {
    const base = await historyBase(tx, docId);
    if (base.seq > afterSeq) return { rewritten: true };
    const rows = await tx
      .selectFrom('doc_update')
      .select(['seq', 'body'])
      .where('doc_id', '=', docId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .execute();
    return {
      rewritten: false,
      updates: rows.map((r) => ({ seq: Number(r.seq), body: new Uint8Array(r.body) })),
    };
  };
  return db.isTransaction
    ? read(db)
    : (db as Kysely<Schema>).transaction().setIsolationLevel('repeatable read').execute(read);
}
