import { type ArchiveLine, DOC_YJS, type DocChange } from '@preau/protocol';
import type { Kysely } from 'kysely';
import * as Y from 'yjs';
import type { Schema } from '../db/schema';
import { fromBase64 } from './canonical';
import type { IndexHit, SegmentReader } from './search';

// A doc.update's body is a Yjs delta: unreadable as such. To tell the
// archivist what it changed, the document is rebuilt from the archived
// updates before it, and the state before and after are compared.

/** How long an excerpt of inserted or deleted text may be. */
const EXCERPT = 200;
/** How many touched board elements are named. */
const ELEMENTS = 5;

type Snapshot = { pad: string; board: Map<string, Record<string, unknown>> };

/** The pad's text, block by block on lines of their own. */
function padText(doc: Y.Doc): string {
  const textOf = (node: Y.XmlElement | Y.XmlText | Y.XmlHook): string => {
    if (node instanceof Y.XmlText) {
      return (node.toDelta() as { insert: unknown }[])
        .map((d) => (typeof d.insert === 'string' ? d.insert : ''))
        .join('');
    }
    if (node instanceof Y.XmlElement) {
      const inner = node.toArray().map(textOf);
      // A block's children are blocks (list items) or runs of text.
      return inner.join(node.toArray().some((c) => c instanceof Y.XmlElement) ? '\n' : '');
    }
    return '';
  };
  return doc.getXmlFragment(DOC_YJS.padFragment).toArray().map(textOf).join('\n');
}

/** The board's live elements by id (deleted ones, Excalidraw's `isDeleted`, left out). */
function boardElements(doc: Y.Doc): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const item of doc.getArray<unknown>(DOC_YJS.boardElements).toArray()) {
    if (!(item instanceof Y.Map)) continue;
    const el = item.get('el') as Record<string, unknown> | undefined;
    if (!el || typeof el !== 'object' || el.isDeleted || typeof el.id !== 'string') continue;
    out.set(el.id, el);
  }
  return out;
}

const snapshot = (doc: Y.Doc): Snapshot => ({ pad: padText(doc), board: boardElements(doc) });

/** What changed in a pad's text: the span between the common start and the common end. */
export function textChange(before: string, after: string) {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  let end = 0;
  while (end < max - start && before[before.length - 1 - end] === after[after.length - 1 - end]) {
    end++;
  }
  const insertedText = after.slice(start, after.length - end);
  const deletedText = before.slice(start, before.length - end);
  return {
    inserted: [...insertedText].length,
    deleted: [...deletedText].length,
    insertedText: insertedText.slice(0, EXCERPT),
    deletedText: deletedText.slice(0, EXCERPT),
  };
}

const elementLabel = (el: Record<string, unknown>) =>
  typeof el.text === 'string' && el.text.trim() !== ''
    ? `${String(el.type)}: ${el.text.trim().slice(0, 60)}`
    : String(el.type ?? '?');

/** What changed on a board: elements added, changed (any property) and removed. */
export function boardChange(
  before: Map<string, Record<string, unknown>>,
  after: Map<string, Record<string, unknown>>,
) {
  const touched: Record<string, unknown>[] = [];
  let added = 0;
  let changed = 0;
  let removed = 0;
  for (const [id, el] of after) {
    const was = before.get(id);
    if (!was) {
      added++;
      touched.push(el);
    } else if (JSON.stringify(was) !== JSON.stringify(el)) {
      changed++;
      touched.push(el);
    }
  }
  for (const [id, el] of before) {
    if (!after.has(id)) {
      removed++;
      touched.push(el);
    }
  }
  return { added, changed, removed, elements: touched.slice(0, ELEMENTS).map(elementLabel) };
}

const keyOf = (space: string, seq: number) => `${space}:${seq}`;

/**
 * What each `doc.update` among `hits` changed, by `space:seq`: the
 * document's title then, and the text or elements it added and removed.
 * Each document is rebuilt once, from its first archived update to the
 * last one asked about.
 */
export async function describeDocUpdates(
  db: Kysely<Schema>,
  reader: SegmentReader,
  hits: readonly IndexHit[],
): Promise<Map<string, DocChange>> {
  const wanted = new Map<string, { space: string; docId: string; seqs: Set<number> }>();
  for (const hit of hits) {
    if (hit.kind !== 'doc.update' || !hit.subject || hit.deleted) continue;
    const key = `${hit.space}/${hit.subject}`;
    const entry = wanted.get(key) ?? { space: hit.space, docId: hit.subject, seqs: new Set() };
    entry.seqs.add(hit.seq);
    wanted.set(key, entry);
  }
  const out = new Map<string, DocChange>();
  for (const { space, docId, seqs } of wanted.values()) {
    for (const [seq, change] of await describeDoc(db, reader, space, docId, seqs)) {
      out.set(keyOf(space, seq), change);
    }
  }
  return out;
}

async function describeDoc(
  db: Kysely<Schema>,
  reader: SegmentReader,
  space: string,
  docId: string,
  seqs: ReadonlySet<number>,
): Promise<Map<number, DocChange>> {
  const last = Math.max(...seqs);
  const rows = await db
    .selectFrom('archive_record')
    .select(['seq', 'segment_first'])
    .where('space_id', '=', space)
    .where('subject', '=', docId)
    .where('kind', 'in', ['doc.created', 'doc.renamed', 'doc.update'])
    .where('seq', '<=', last)
    .orderBy('seq')
    .execute();
  const lines = await Promise.all(
    rows.map((r) => reader.line(space, Number(r.segment_first), Number(r.seq))),
  );
  // The docs table knows the kind and the current title when the archive lost them.
  const stored = await db
    .selectFrom('doc')
    .select(['kind', 'title'])
    .where('id', '=', docId)
    .executeTakeFirst();
  let kind: 'pad' | 'board' | null = stored?.kind ?? null;
  let title: string | null = null;
  let broken = false;
  const out = new Map<number, DocChange>();
  const doc = new Y.Doc({ gc: false });
  try {
    for (const line of lines) {
      if (!line) continue;
      const payload = line.content?.payload ?? {};
      if (line.kind === 'doc.created') {
        if (payload.kind === 'pad' || payload.kind === 'board') kind = payload.kind;
        if (typeof payload.title === 'string') title = payload.title;
      } else if (line.kind === 'doc.renamed' && typeof payload.to === 'string') {
        title = payload.to;
      } else if (line.kind === 'doc.update') {
        const then = { kind, title: title ?? stored?.title ?? null, broken };
        // Only the updates asked about are compared; the others are applied.
        if (seqs.has(line.seq)) out.set(line.seq, applyAndDescribe(doc, line, then));
        else if (line.content?.body) Y.applyUpdate(doc, fromBase64(line.content.body));
        // An update whose content is gone leaves every later one unreadable.
        if (!line.content?.body || doc.store.pendingStructs !== null) broken = true;
      }
    }
  } finally {
    doc.destroy();
  }
  return out;
}

function applyAndDescribe(
  doc: Y.Doc,
  line: ArchiveLine,
  ctx: { kind: 'pad' | 'board' | null; title: string | null; broken: boolean },
): DocChange {
  const body = line.content?.body;
  if (!body) return { doc: 'unknown', title: ctx.title };
  const before = snapshot(doc);
  Y.applyUpdate(doc, fromBase64(body));
  const after = snapshot(doc);
  if (ctx.broken || doc.store.pendingStructs !== null) return { doc: 'unknown', title: ctx.title };
  const kind = ctx.kind ?? (after.board.size > 0 || before.board.size > 0 ? 'board' : 'pad');
  return kind === 'board'
    ? { doc: 'board', title: ctx.title, ...boardChange(before.board, after.board) }
    : { doc: 'pad', title: ctx.title, ...textChange(before.pad, after.pad) };
}
