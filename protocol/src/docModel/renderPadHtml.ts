import * as Y from 'yjs';
import { escapeXml, safeUrl } from './escape';
import { padFragment } from './pad';
import type { AuthorOf } from './parts';

/** Options of the pad renderer. */
export interface RenderPadOptions {
  /** When given, each run of text is wrapped in a span naming its author, in their colour. */
  authorOf?: AuthorOf;
  /** Rewrites image addresses (e.g. to files inside an evidence bundle). */
  imageSrc?: (src: string) => string;
}

type Attrs = Record<string, unknown>;

const BLOCKS: Record<string, string> = {
  paragraph: 'p',
  bulletList: 'ul',
  listItem: 'li',
  blockquote: 'blockquote',
  tableRow: 'tr',
};

/** Marks in the order they nest (outermost first), as Tiptap's schema names them. */
const MARKS: ReadonlyArray<[string, (attrs: Attrs) => [string, string]]> = [
  [
    'link',
    (a) => {
      const href = safeUrl(a.href);
      return href
        ? [`<a href="${escapeXml(href)}" rel="noopener noreferrer nofollow">`, '</a>']
        : ['', ''];
    },
  ],
  ['bold', () => ['<strong>', '</strong>']],
  ['italic', () => ['<em>', '</em>']],
  ['underline', () => ['<u>', '</u>']],
  ['strike', () => ['<s>', '</s>']],
  ['code', () => ['<code>', '</code>']],
];

/**
 * Renders a pad (Tiptap's ProseMirror tree in Yjs) as HTML: headings, lists,
 * tables, code, quotes, images, links and text marks. Pure and browser-safe;
 * every text and attribute is escaped and only safe addresses are kept.
 */
export function renderPadHtml(doc: Y.Doc, options: RenderPadOptions = {}): string {
  const fragment = padFragment(doc);
  return fragment
    .toArray()
    .map((node) => renderNode(node, options))
    .join('');
}

function renderNode(node: Y.XmlElement | Y.XmlText | Y.XmlHook, options: RenderPadOptions): string {
  if (node instanceof Y.XmlText) return renderText(node, options);
  if (!(node instanceof Y.XmlElement)) return '';
  const attrs = node.getAttributes() as Attrs;
  const inner = () =>
    node
      .toArray()
      .map((child) => renderNode(child, options))
      .join('');
  const name = node.nodeName;
  switch (name) {
    case 'heading': {
      const level = Math.min(6, Math.max(1, Number(attrs.level) || 1));
      return `<h${level}>${inner()}</h${level}>`;
    }
    case 'orderedList': {
      const start = Number(attrs.start);
      const startAttr = Number.isInteger(start) && start !== 1 ? ` start="${start}"` : '';
      return `<ol${startAttr}>${inner()}</ol>`;
    }
    case 'codeBlock': {
      const lang = typeof attrs.language === 'string' ? attrs.language : '';
      const cls = /^[\w+-]{1,32}$/.test(lang) ? ` class="language-${lang}"` : '';
      return `<pre><code${cls}>${inner()}</code></pre>`;
    }
    case 'horizontalRule':
      return '<hr>';
    case 'hardBreak':
      return '<br>';
    case 'image': {
      const raw = safeUrl(attrs.src);
      if (!raw) return '';
      const src = options.imageSrc ? options.imageSrc(raw) : raw;
      const alt = typeof attrs.alt === 'string' ? attrs.alt : '';
      const title = typeof attrs.title === 'string' ? ` title="${escapeXml(attrs.title)}"` : '';
      return `<img src="${escapeXml(src)}" alt="${escapeXml(alt)}"${title}>`;
    }
    case 'table':
      return `<table><tbody>${inner()}</tbody></table>`;
    case 'tableCell':
    case 'tableHeader': {
      const tag = name === 'tableHeader' ? 'th' : 'td';
      const span = (key: string) => {
        const n = Number(attrs[key]);
        return Number.isInteger(n) && n > 1 ? ` ${key}="${n}"` : '';
      };
      return `<${tag}${span('colspan')}${span('rowspan')}>${inner()}</${tag}>`;
    }
    default: {
      const tag = BLOCKS[name];
      return tag
        ? `<${tag}>${inner()}</${tag}>`
        : `<div data-node="${escapeXml(name)}">${inner()}</div>`;
    }
  }
}

function renderText(text: Y.XmlText, options: RenderPadOptions): string {
  const delta = options.authorOf
    ? text.toDelta(undefined, Y.emptySnapshot, (type, id) => ({ type, user: id.client }))
    : text.toDelta();
  let out = '';
  for (const op of delta as Array<{ insert: unknown; attributes?: Attrs }>) {
    if (typeof op.insert !== 'string') continue;
    const attrs = op.attributes ?? {};
    let html = escapeXml(op.insert);
    for (const [mark, wrap] of [...MARKS].reverse()) {
      const value = attrs[mark];
      if (value === undefined || value === null) continue;
      const [open, close] = wrap(typeof value === 'object' ? (value as Attrs) : {});
      html = `${open}${html}${close}`;
    }
    const change = attrs.ychange as { user?: number } | undefined;
    const author =
      options.authorOf && change?.user !== undefined ? options.authorOf(change.user) : undefined;
    out += author
      ? `<span class="author" data-author="${escapeXml(author.id)}" style="--author:${escapeXml(author.color)}">${html}</span>`
      : html;
  }
  return out;
}
