import { randomUUID } from 'node:crypto';
import type { DocsExecutor } from './documents';

/** An image of a pad or a board, kept in object storage. */
export interface DocFileRecord {
  id: string;
  docId: string;
  objectKey: string;
  mimeType: string;
  size: number;
  uploadedBy: string;
}

/** Object storage key of a document's image: grouped by document, never guessable. */
export function docFileKey(docId: string, fileId: string): string {
  return `docs/${docId}/files/${fileId}`;
}

/** Records an image already written to object storage under `docFileKey`. */
export async function addDocFile(
  db: DocsExecutor,
  input: { docId: string; mimeType: string; size: number; uploadedBy: string; id?: string },
): Promise<DocFileRecord> {
  const id = input.id ?? `f${randomUUID().replaceAll('-', '')}`;
  const objectKey = docFileKey(input.docId, id);
  await db
    .insertInto('doc_file')
    .values({
      id,
      doc_id: input.docId,
      object_key: objectKey,
      mime_type: input.mimeType,
      size: input.size,
      uploaded_by: input.uploadedBy,
    })
    .execute();
  return {
    id,
    docId: input.docId,
    objectKey,
    mimeType: input.mimeType,
    size: input.size,
    uploadedBy: input.uploadedBy,
  };
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
  return row
    ? {
        id: row.id,
        docId: row.doc_id,
        objectKey: row.object_key,
        mimeType: row.mime_type,
        size: row.size,
        uploadedBy: row.uploaded_by,
      }
    : null;
}
