import { docFromParts, imagesInUse } from '@preau/protocol/docs-model';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import { type DocFileRecord, docFilesUploadedBefore, removeDocFiles } from './files';
import { readDocParts, seqAt } from './updates';

/**
 * Retention of the images placed in pads and boards, like the documents
 * that hold them: a document's history before its cutoff is merged into one
 * version (expireDocHistories), so what only those versions showed goes; an
 * image uploaded before the cutoff goes the same way when neither the
 * document as it was at the cutoff nor as it is now shows it. An image the
 * document still shows stays, as its text does. Holds keep theirs. Returns
 * the removed images (the caller deletes their objects) and how many expired
 * ones a hold kept.
 */
export async function expireDocFiles(
  db: Kysely<Schema>,
  opts: { before: Date; cutoffOf: (space: string) => Promise<Date> },
): Promise<{ removed: DocFileRecord[]; held: number }> {
  const removed: DocFileRecord[] = [];
  let held = 0;
  for (const doc of await docFilesUploadedBefore(db, opts.before)) {
    const cutoff = await opts.cutoffOf(doc.space);
    const expired = doc.files.filter((f) => f.uploadedAt < cutoff);
    if (expired.length === 0) continue;
    const shown = new Set([
      ...(await imagesAt(db, doc.docId, doc.kind, await seqAt(db, doc.docId, cutoff))),
      ...(await imagesAt(db, doc.docId, doc.kind)),
    ]);
    const gone = expired.filter((f) => !shown.has(f.id)).map((f) => f.id);
    const result = await removeDocFiles(db, doc.docId, gone);
    removed.push(...result.removed);
    held += result.held;
  }
  return { removed, held };
}

/** The images a document shows after update `upto` (default: now). */
async function imagesAt(
  db: Kysely<Schema>,
  docId: string,
  kind: 'pad' | 'board',
  upto?: number,
): Promise<Set<string>> {
  if (upto === 0) return new Set();
  const parts = await readDocParts(db, docId, upto);
  const ydoc = docFromParts(
    parts.snapshot?.state ?? null,
    parts.updates.map((u) => u.body),
  );
  try {
    return imagesInUse(ydoc, kind, docId);
  } finally {
    ydoc.destroy();
  }
}
