import { docFromState, mergeParts, renderBoardSvg, renderPadHtml } from '@preau/docs-server/model';
import {
  authorColor,
  type DocSummary,
  type DocVersion,
  type DocVersionQuery,
} from '@preau/protocol';
import { docClientAuthors, readDocParts, seqAt, updateMeta } from '@preau/storage';

/**
 * A document as it was after update `seq` (or at a moment), rebuilt from its
 * stored updates and rendered with authorship: pads as HTML whose runs of
 * text carry their author's colour, boards as SVG whose elements carry it.
 */
export async function renderVersion(
  locals: App.Locals,
  doc: DocSummary,
  query: DocVersionQuery,
  withState: boolean,
): Promise<DocVersion> {
  const db = locals.services.database.db;
  const seq = 'seq' in query ? query.seq : await seqAt(db, doc.id, new Date(query.at));
  const parts = await readDocParts(db, doc.id, seq);
  const state = mergeParts(
    parts.snapshot?.state ?? null,
    parts.updates.map((u) => u.body),
  );
  const ydoc = docFromState(state);
  const clients = await docClientAuthors(db, doc.id);
  const authorOf = (client: number) => {
    const person = clients.get(client);
    return person ? { id: person, color: authorColor(person) } : undefined;
  };
  const markup =
    doc.kind === 'pad' ? renderPadHtml(ydoc, { authorOf }) : renderBoardSvg(ydoc, { authorOf });
  ydoc.destroy();
  const meta =
    parts.updates.at(-1) ??
    (parts.snapshot ? await updateMeta(db, doc.id, parts.snapshot.seq) : null);
  return {
    seq: meta?.seq ?? 0,
    at: meta?.at.toISOString() ?? null,
    author: meta?.author ?? null,
    markup,
    state: withState ? Buffer.from(state).toString('base64') : '',
  };
}
