import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { holdCoversAct } from '../archive/liveHolds';
import type { DocsExecutor } from './documents';

/** An image of a pad or a board, kept in object storage. */
export interface DocFileRecord {
  id: string;
  docId: string;
  objectKey: string;
  mimeType: string;
  size: number;
  uploadedBy: string;
  /** SHA-256 of the bytes (hex); null for images stored before hashes were kept. */
  sha256: string | null;
  uploadedAt: Date;
}

/** Object storage key of a document's image: grouped by document, never guessable. */
export function docFileKey(docId: string, fileId: string): string {
  return `docs/${docId}/files/${fileId}`;
}

type Row = {
  id: string;
  doc_id: string;
  object_key: string;
  mime_type: string;
  size: number;
  uploaded_by: string;
  uploaded_at: Date | string;
  sha256: string | null;
};

function toRecord(row: Row): DocFileRecord {
  return {
    id: row.id,
    docId: row.doc_id,
    objectKey: row.object_key,
    mimeType: row.mime_type,
    size: Number(row.size),
    uploadedBy: row.uploaded_by,
    sha256: row.sha256,
    uploadedAt: new Date(row.uploaded_at),
  };
}

/**
 * Records an image already written to object storage under `docFileKey`.
 * The caller records its trace (`doc.file.added`) in the same transaction.
 */
export async function addDocFile(
  db: DocsExecutor,
  input: {
    docId: string;
    mimeType: string;
    size: number;
    uploadedBy: string;
    sha256: string;
    id?: string;
    at?: Date;
  },
): Promise<DocFileRecord> {
  const id = input.id ?? `f${randomUUID().replaceAll('-', '')}`;
  const row = await db
    .insertInto('doc_file')
    .values({
      id,
      doc_id: input.docId,
      object_key: docFileKey(input.docId, id),
      mime_type: input.mimeType,
      size: input.size,
      uploaded_by: input.uploadedBy,
      sha256: input.sha256,
      ...(input.at ? { uploaded_at: input.at } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

/** One image of a document, or null (also when it belongs to another document). */
export async function findDocFile(
  db: DocsExecutor,
  docId: string,
  fileId: string,
): Promise<DocFileRecord | null> {
  const row = await db
    .selectFrom('doc_file')
    .selectAll()
    .where('id', '=', fileId)
    .where('doc_id', '=', docId)
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** The images of a space's documents among `ids` (for an evidence bundle). */
export async function docFilesOfSpace(
  db: DocsExecutor,
  space: string,
  ids: readonly string[],
): Promise<DocFileRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('doc_file as f')
    .innerJoin('doc as d', 'd.id', 'f.doc_id')
    .selectAll('f')
    .where('d.space_id', '=', space)
    .where('f.id', 'in', [...ids])
    .orderBy('f.doc_id')
    .orderBy('f.id')
    .execute();
  return rows.map(toRecord);
}

/** Not covered by a legal hold on the document's space, its uploader and upload time. */
const notHeld = sql<boolean>`NOT ${holdCoversAct(
  sql`(SELECT d.space_id FROM doc d WHERE d.id = doc_file.doc_id)`,
  sql.ref('doc_file.uploaded_by'),
  sql.ref('doc_file.uploaded_at'),
)}`;

/**
 * Erasure: the images a person placed in pads and boards that no legal hold
 * covers. Their rows go; the caller deletes their objects (after the rows: a
 * row without its object is a missing image, an object without a row a leak).
 */
export async function eraseDocFilesOf(
  db: DocsExecutor,
  personId: string,
): Promise<DocFileRecord[]> {
  const rows = await db
    .deleteFrom('doc_file')
    .where('uploaded_by', '=', personId)
    .where(notHeld)
    .returningAll()
    .execute();
  return rows.map(toRecord);
}

/** Images uploaded before `before`, document by document (retention candidates). */
export async function docFilesUploadedBefore(
  db: DocsExecutor,
  before: Date,
): Promise<Array<{ docId: string; space: string; kind: 'pad' | 'board'; files: DocFileRecord[] }>> {
  const rows = await db
    .selectFrom('doc_file as f')
    .innerJoin('doc as d', 'd.id', 'f.doc_id')
    .selectAll('f')
    .select(['d.space_id', 'd.kind'])
    .where('f.uploaded_at', '<', before)
    .orderBy('f.doc_id')
    .orderBy('f.id')
    .execute();
  const byDoc = new Map<
    string,
    { docId: string; space: string; kind: 'pad' | 'board'; files: DocFileRecord[] }
  >();
  for (const r of rows) {
    const entry = byDoc.get(r.doc_id) ?? {
      docId: r.doc_id,
      space: r.space_id,
      kind: r.kind,
      files: [],
    };
    entry.files.push(toRecord(r));
    byDoc.set(r.doc_id, entry);
  }
  return [...byDoc.values()];
}

/**
 * Removes the given images of a document that no legal hold covers; returns
 * the removed ones (for their objects) and how many a hold kept.
 */
export async function removeDocFiles(
  db: DocsExecutor,
  docId: string,
  ids: readonly string[],
): Promise<{ removed: DocFileRecord[]; held: number }> {
  if (ids.length === 0) return { removed: [], held: 0 };
  const rows = await db
    .deleteFrom('doc_file')
    .where('doc_id', '=', docId)
    .where('id', 'in', [...ids])
    .where(notHeld)
    .returningAll()
    .execute();
  return { removed: rows.map(toRecord), held: ids.length - rows.length };
}
