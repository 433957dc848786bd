import * as Y from 'yjs';
import { DOC_YJS } from '../docs';

/** A pad's tree: Tiptap's ProseMirror document as a Yjs XML fragment. */
export function padFragment(doc: Y.Doc): Y.XmlFragment {
  return doc.getXmlFragment(DOC_YJS.padFragment);
}

/** A pad's tree serialised as XML (tags and text, as Yjs writes it). */
export function padXml(doc: Y.Doc): string {
  return padFragment(doc).toString();
}

/** The pad's text, block by block on lines of their own (list items each on theirs). */
export function padText(doc: Y.Doc): string {
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
  return padFragment(doc).toArray().map(textOf).join('\n');
}

/**
 * The pad's top-level blocks as text, one string each (nested blocks joined
 * by spaces). Runs of text are as Yjs serialises them, marks as tags, which
 * `stripMarks` removes.
 */
export function padBlocks(doc: Y.Doc, stripMarks = true): string[] {
  const textOf = (node: unknown): string => {
    if (node instanceof Y.XmlText) {
      return stripMarks ? node.toString().replace(/<[^>]*>/g, '') : node.toString();
    }
    if (node instanceof Y.XmlElement) return node.toArray().map(textOf).join(' ');
    return '';
  };
  return padFragment(doc).toArray().map(textOf);
}

/** Appends a paragraph holding `text` to a pad. */
export function appendParagraph(doc: Y.Doc, text: string): void {
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText(text)]);
  padFragment(doc).push([p]);
}

/** Deletes the first top-level block of a pad holding `text`; false when none does. */
export function removeBlockHolding(doc: Y.Doc, text: string): boolean {
  const fragment = padFragment(doc);
  const index = fragment.toArray().findIndex((node) => node.toString().includes(text));
  if (index < 0) return false;
  fragment.delete(index, 1);
  return true;
}

/** The `src` of every image node of a pad, in document order. */
export function padImageSources(doc: Y.Doc): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (!(node instanceof Y.XmlElement)) return;
    if (node.nodeName === 'image') {
      const src = node.getAttribute('src');
      if (typeof src === 'string') out.push(src);
    }
    for (const child of node.toArray()) walk(child);
  };
  for (const node of padFragment(doc).toArray()) walk(node);
  return out;
}

/** Appends an image node (Tiptap's `image`, block-level) showing `src` to a pad. */
export function appendImage(doc: Y.Doc, src: string, alt = ''): void {
  const image = new Y.XmlElement('image');
  image.setAttribute('src', src);
  image.setAttribute('alt', alt);
  padFragment(doc).push([image]);
}
