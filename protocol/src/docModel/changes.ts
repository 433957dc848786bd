import * as Y from 'yjs';
import type { DocChange } from '../archiveReading';
import { boardElementsById } from './board';
import { padText } from './pad';

// A doc.update's body is a Yjs delta: unreadable as such. To tell a reader
// what it changed, the document is rebuilt from the updates before it, and
// the states before and after are compared.

/** How long an excerpt of inserted or deleted text may be. */
const EXCERPT = 200;
/** How many touched board elements are named. */
const ELEMENTS = 5;

/** What a change is compared on: the pad's text and the board's live elements. */
export interface DocView {
  pad: string;
  board: Map<string, Record<string, unknown>>;
}

/** The comparable view of a document now. */
export function docView(doc: Y.Doc): DocView {
  return { pad: padText(doc), board: boardElementsById(doc) };
}

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

/** Whether some applied update still waits for one it depends on (the document is then unreadable). */
export function hasPending(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null;
}

/**
 * Applies `update` to `doc` and says what it changed, as a pad or a board
 * (`kind`, or guessed from the content when unknown). `broken` (an earlier
 * update missing) or an update that cannot apply makes the change unknown.
 */
export function applyAndDescribe(
  doc: Y.Doc,
  update: Uint8Array,
  ctx: { kind: 'pad' | 'board' | null; title: string | null; broken: boolean },
): DocChange {
  const before = docView(doc);
  Y.applyUpdate(doc, update);
  const after = docView(doc);
  if (ctx.broken || hasPending(doc)) return { doc: 'unknown', title: ctx.title };
  const kind = ctx.kind ?? (after.board.size > 0 || before.board.size > 0 ? 'board' : 'pad');
  return kind === 'board'
    ? { doc: 'board', title: ctx.title, ...boardChange(before.board, after.board) }
    : { doc: 'pad', title: ctx.title, ...textChange(before.pad, after.pad) };
}
