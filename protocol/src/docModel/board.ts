import * as Y from 'yjs';
import { DOC_YJS } from '../docs';

/** What a board keeps about an image: a reference to object storage, never the bytes. */
export interface BoardFileRef {
  id: string;
  mimeType: string;
  url: string;
  created?: number;
}

/** A board's elements: y-excalidraw's array of maps `{ pos, el }` (el: an Excalidraw element). */
export function boardElementsArray(doc: Y.Doc): Y.Array<Y.Map<unknown>> {
  return doc.getArray<Y.Map<unknown>>(DOC_YJS.boardElements);
}

/** A board's images by Excalidraw file id. */
export function boardFilesMap(doc: Y.Doc): Y.Map<BoardFileRef> {
  return doc.getMap<BoardFileRef>(DOC_YJS.boardFiles);
}

/** Appends an Excalidraw element at fractional position `pos`. */
export function pushBoardElement(doc: Y.Doc, pos: string, el: Record<string, unknown>): void {
  boardElementsArray(doc).push([new Y.Map<unknown>(Object.entries({ pos, el }))]);
}

/** The board's elements as stored, deleted ones (Excalidraw's `isDeleted`) included, in array order. */
export function boardElementValues(doc: Y.Doc): Array<Record<string, unknown>> {
  return boardElementsArray(doc)
    .toArray()
    .map((item) => (item instanceof Y.Map ? (item.get('el') ?? item.toJSON()) : item))
    .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
}

/** The board's live elements by id (deleted ones left out). */
export function boardElementsById(doc: Y.Doc): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const item of boardElementsArray(doc).toArray()) {
    if (!(item instanceof Y.Map)) continue;
    const el = item.get('el') as Record<string, unknown> | undefined;
    if (!el || typeof el !== 'object' || el.isDeleted || typeof el.id !== 'string') continue;
    out.set(el.id, el);
  }
  return out;
}

/** The texts of a board's text elements, in array order. */
export function boardTexts(doc: Y.Doc): string[] {
  return boardElementValues(doc).map((v) =>
    v.type === 'text' && typeof v.text === 'string' ? v.text : '',
  );
}

/** The addresses of the images a board shows (its live image elements' stored files). */
export function boardImageUrls(doc: Y.Doc): string[] {
  const files = boardFilesMap(doc);
  const out: string[] = [];
  for (const el of boardElementsById(doc).values()) {
    if (el.type !== 'image' || typeof el.fileId !== 'string') continue;
    const url = files.get(el.fileId)?.url;
    if (typeof url === 'string') out.push(url);
  }
  return out;
}
