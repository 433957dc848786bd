import { randomUUID } from 'node:crypto';
import { type DocKind, type DocSummary, PreauError } from '@preau/protocol';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import { recordTrace } from '../trace/recordTrace';
import type { DocsTables } from './tables';

/** A database or a transaction: every function here runs in either. */
export type DocsExecutor = Kysely<Schema> | Transaction<Schema>;

type DocRow = Selectable<DocsTables['doc']>;

/** A document row as the docs server needs it to authorise and persist. */
export interface DocRecord {
  id: string;
  space: string;
  kind: DocKind;
  title: string;
  archived: boolean;
  lastSeq: number;
}

/** A fresh document id: URL-safe, unguessable. */
export function newDocId(): string {
  return `d${randomUUID().replaceAll('-', '')}`;
}

function toSummary(row: DocRow): DocSummary {
  return {
    id: row.id,
    space: row.space_id,
    kind: row.kind,
    title: row.title,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    archived: row.archived_at !== null,
  };
}

/** Runs `work` in the caller's transaction, or in a new one. */
function inTransaction<T>(db: DocsExecutor, work: (tx: Transaction<Schema>) => Promise<T>) {
  return db.isTransaction
    ? work(db as Transaction<Schema>)
    : (db as Kysely<Schema>).transaction().execute(work);
}

/** Creates a pad or a board in a space, recording the act in the trace log. */
export async function createDoc(
  db: DocsExecutor,
  input: { space: string; kind: DocKind; title: string; actor: string; id?: string },
): Promise<DocSummary> {
  return inTransaction(db, async (tx) => {
    const row = await tx
      .insertInto('doc')
      .values({
        id: input.id ?? newDocId(),
        space_id: input.space,
        kind: input.kind,
        title: input.title,
        created_by: input.actor,
        archived_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordTrace(tx, {
      actor: input.actor,
      kind: 'doc.created',
      space: input.space,
      subject: row.id,
      payload: { kind: input.kind, title: input.title },
    });
    return toSummary(row);
  });
}

/** One document as lists show it, or null. */
export async function docSummary(db: DocsExecutor, docId: string): Promise<DocSummary | null> {
  const row = await db.selectFrom('doc').selectAll().where('id', '=', docId).executeTakeFirst();
  return row ? toSummary(row) : null;
}

/** One document as the docs server needs it, or null. */
export async function findDoc(db: DocsExecutor, docId: string): Promise<DocRecord | null> {
  const row = await db
    .selectFrom('doc')
    .select(['id', 'space_id', 'kind', 'title', 'archived_at', 'last_seq'])
    .where('id', '=', docId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    space: row.space_id,
    kind: row.kind,
    title: row.title,
    archived: row.archived_at !== null,
    lastSeq: Number(row.last_seq),
  };
}

/** The documents of a space, newest first; archived ones last. */
export async function listDocs(db: DocsExecutor, space: string): Promise<DocSummary[]> {
  const rows = await db
    .selectFrom('doc')
    .selectAll()
    .where('space_id', '=', space)
    .orderBy('archived_at', (o) => o.desc().nullsFirst())
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toSummary);
}

/** Renames a document (archived ones too: a title is not content). */
export async function renameDoc(
  db: DocsExecutor,
  input: { docId: string; title: string; actor: string },
): Promise<DocSummary> {
  return inTransaction(db, async (tx) => {
    const before = await tx
      .selectFrom('doc')
      .select('title')
      .where('id', '=', input.docId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new PreauError('not_found', 'no such document');
    const row = await tx
      .updateTable('doc')
      .set({ title: input.title })
      .where('id', '=', input.docId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordTrace(tx, {
      actor: input.actor,
      kind: 'doc.renamed',
      space: row.space_id,
      subject: row.id,
      payload: { from: before.title, to: input.title },
    });
    return toSummary(row);
  });
}

/** Archives a document: it stays readable with its history, and becomes read-only. */
export async function archiveDoc(
  db: DocsExecutor,
  input: { docId: string; actor: string },
): Promise<DocSummary> {
  return inTransaction(db, async (tx) => {
    const row = await tx
      .updateTable('doc')
      .set({ archived_at: new Date() })
      .where('id', '=', input.docId)
      .where('archived_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      const exists = await docSummary(tx, input.docId);
      if (!exists) throw new PreauError('not_found', 'no such document');
      return exists;
    }
    await recordTrace(tx, {
      actor: input.actor,
      kind: 'doc.archived',
      space: row.space_id,
      subject: row.id,
      payload: {},
    });
    return toSummary(row);
  });
}

/** Records that a past version of a document was restored (as a new version). */
export async function recordDocRestored(
  db: DocsExecutor,
  input: { docId: string; space: string; seq: number; actor: string },
): Promise<void> {
  await recordTrace(db, {
    actor: input.actor,
    kind: 'doc.restored',
    space: input.space,
    subject: input.docId,
    payload: { seq: input.seq },
  });
}
