import { DOC_YJS } from '@preau/protocol';
import * as Y from 'yjs';

/** Renders a rebuilt document: a pad as an HTML fragment, a board as SVG. */
export interface DocRenderers {
  pad(doc: Y.Doc): string;
  board(doc: Y.Doc): string;
}

/** A document rebuilt from its updates; updates that cannot apply yet are left pending. */
export function rebuildDoc(updates: Iterable<Uint8Array>): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Renderers used when the document engine's own are not given: the pad's
 * text paragraph by paragraph, the board's elements as labelled boxes.
 * Plain on purpose: evidence first, looks second.
 */
export const plainRenderers: DocRenderers = {
  pad(doc) {
    const blocks = doc
      .getXmlFragment(DOC_YJS.padFragment)
      .toArray()
      .map((node) => {
        const text = node instanceof Y.XmlText ? node.toString() : textOf(node);
        return `<p>${escapeHtml(text)}</p>`;
      });
    return blocks.join('');
  },
  board(doc) {
    const elements = doc.getArray<Y.Map<unknown>>(DOC_YJS.boardElements).toArray();
    const rows = elements.map((el, i) => {
      const value = (el instanceof Y.Map ? (el.get('el') ?? el.toJSON()) : el) as Record<
        string,
        unknown
      >;
      const label = [value.type, value.text].filter((v) => typeof v === 'string').join(': ');
      return `<text x="10" y="${20 + i * 20}">${escapeHtml(label)}</text>`;
    });
    return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="${Math.max(40, 30 + rows.length * 20)}">${rows.join('')}</svg>`;
  },
};

function textOf(node: Y.XmlElement | Y.XmlText | Y.XmlHook): string {
  if (node instanceof Y.XmlText) return node.toJSON();
  if (node instanceof Y.XmlElement) return node.toArray().map(textOf).join(' ');
  return '';
}

/** A complete, standalone HTML page around a rendered pad. */
export function padPage(title: string, fragment: string, note: string): string {
  return `<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5;padding:0 1rem}
.note{color:#444;border-bottom:1px solid #999;padding-bottom:.5rem}</style></head>
<body><p class="note">${escapeHtml(note)}</p>
<main>${fragment}</main></body></html>
`;
}
