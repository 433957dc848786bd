import { boardTexts, docFromParts, padBlocks } from '@preau/protocol/docs-model';
import { type DocsExecutor, findDoc } from '../docs/documents';
import { readDocParts } from '../docs/updates';

/** Longest text a report copies from a document. */
const MAX_CHARS = 20_000;

/**
 * A document as it stands now, as plain text: a pad's paragraphs, a board's
 * text elements (one a line). Null when there is no such document.
 */
export async function docPlainText(
  db: DocsExecutor,
  docId: string,
): Promise<{ space: string; title: string; kind: string; text: string } | null> {
  const doc = await findDoc(db, docId);
  if (!doc) return null;
  const parts = await readDocParts(db, docId);
  const ydoc = docFromParts(
    parts.snapshot?.state ?? null,
    parts.updates.map((u) => u.body),
  );
  const lines = doc.kind === 'pad' ? padBlocks(ydoc) : boardTexts(ydoc);
  ydoc.destroy();
  const text = lines
    .filter((l) => l.trim() !== '')
    .join('\n')
    .slice(0, MAX_CHARS);
  return { space: doc.space, title: doc.title, kind: doc.kind, text };
}
