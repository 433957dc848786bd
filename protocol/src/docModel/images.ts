import type * as Y from 'yjs';
import type { DocKind } from '../docs';
import { boardImageUrls } from './board';
import { padImageSources } from './pad';

/** Where Préau serves an image of a document (what pads and boards store, never the bytes). */
export function docImageUrl(docId: string, fileId: string): string {
  return `/api/docs/${docId}/files/${fileId}`;
}

/** The file id an image address of this document names, or null (another document's, another site's). */
export function docImageFileId(docId: string, url: string): string | null {
  const prefix = `/api/docs/${docId}/files/`;
  const path = url.startsWith('/') ? url : safePath(url);
  if (!path?.startsWith(prefix)) return null;
  const id = path.slice(prefix.length).split(/[?#]/)[0] ?? '';
  return /^[\w-]{1,64}$/.test(id) ? id : null;
}

function safePath(url: string): string | null {
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

/** The ids of this document's stored images that its current state shows. */
export function imagesInUse(doc: Y.Doc, kind: DocKind, docId: string): Set<string> {
  const urls = kind === 'pad' ? padImageSources(doc) : boardImageUrls(doc);
  const ids = new Set<string>();
  for (const url of urls) {
    const id = docImageFileId(docId, url);
    if (id) ids.add(id);
  }
  return ids;
}
