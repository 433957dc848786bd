import type * as Y from 'yjs';
import { boardElementValues } from './board';
import { padBlocks } from './pad';
import { renderBoardSvg } from './renderBoardSvg';
import { renderPadHtml } from './renderPadHtml';

/** Renders a rebuilt document: a pad as an HTML fragment, a board as SVG. */
export interface DocRenderers {
  pad(doc: Y.Doc): string;
  board(doc: Y.Doc): string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Plain renderers: the pad's text paragraph by paragraph, the board's
 * elements as labelled lines. Evidence first, looks second (the archive's
 * fallback when the full renderers are not given).
 */
export const plainRenderers: DocRenderers = {
  pad(doc) {
    return padBlocks(doc, false)
      .map((text) => `<p>${escapeHtml(text)}</p>`)
      .join('');
  },
  board(doc) {
    const rows = boardElementValues(doc).map((value, i) => {
      const label = [value.type, value.text].filter((v) => typeof v === 'string').join(': ');
      return `<text x="10" y="${20 + i * 20}">${escapeHtml(label)}</text>`;
    });
    return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="${Math.max(40, 30 + rows.length * 20)}">${rows.join('')}</svg>`;
  },
};

/** The full renderers: pads as Tiptap-like HTML, boards as drawn SVG (what bundles and downloads show). */
export const fullRenderers: DocRenderers = {
  pad: (doc) => renderPadHtml(doc),
  board: (doc) => renderBoardSvg(doc),
};
