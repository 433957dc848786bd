import * as Y from 'yjs';
import { type BoardFileRef, boardElementsArray, boardFilesMap } from './board';
import { escapeXml, safeColor, safeUrl } from './escape';
import type { AuthorOf } from './parts';

/** Options of the board renderer. */
export interface RenderBoardOptions {
  /** When given, each element carries its author and is outlined in their colour. */
  authorOf?: AuthorOf;
  /** Address of an image file by its id (default: the `url` stored with the file). */
  fileHref?: (fileId: string, stored: BoardFileRef | undefined) => string | null;
}

/** The subset of an Excalidraw element the renderer reads. */
interface BoardElement {
  id: string;
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  angle?: number;
  strokeColor?: string;
  backgroundColor?: string;
  fillStyle?: string;
  strokeWidth?: number;
  strokeStyle?: string;
  opacity?: number;
  isDeleted?: boolean;
  points?: [number, number][];
  endArrowhead?: string | null;
  startArrowhead?: string | null;
  text?: string;
  fontSize?: number;
  fontFamily?: number;
  textAlign?: string;
  lineHeight?: number;
  fileId?: string | null;
  name?: string | null;
  roundness?: unknown;
}

/** One element of a board with the Yjs client id that last wrote it. */
export interface BoardEntry {
  el: BoardElement;
  pos: string;
  client: number | undefined;
}

/** The live elements of a board in drawing order (Excalidraw's fractional `pos`). */
export function boardEntries(doc: Y.Doc): BoardEntry[] {
  const elements = boardElementsArray(doc);
  const entries: BoardEntry[] = [];
  for (const item of elements.toArray()) {
    if (!(item instanceof Y.Map)) continue;
    const el = item.get('el') as BoardElement | undefined;
    if (!el || typeof el !== 'object' || el.isDeleted) continue;
    const stored = (item as unknown as { _map: Map<string, Y.Item> })._map.get('el');
    entries.push({ el, pos: String(item.get('pos') ?? ''), client: stored?.id.client });
  }
  return entries.sort((a, b) => (a.pos > b.pos ? 1 : a.pos < b.pos ? -1 : 0));
}

const FONTS: Record<number, string> = {
  1: 'Virgil, Excalifont, cursive',
  2: 'Helvetica, Arial, sans-serif',
  3: 'Cascadia, monospace',
  5: 'Excalifont, cursive',
  6: 'Nunito, sans-serif',
  7: 'Lilita One, sans-serif',
  8: 'Comic Shanns, monospace',
};

/**
 * Renders a board (Excalidraw elements in Yjs) as a standalone SVG: shapes,
 * lines and arrows, freehand strokes, text, images and frames, cleanly drawn
 * (no hand-drawn roughness). Pure and browser-safe; everything is escaped.
 */
export function renderBoardSvg(doc: Y.Doc, options: RenderBoardOptions = {}): string {
  const files = boardFilesMap(doc);
  const entries = boardEntries(doc);
  const box = bounds(entries.map((e) => e.el));
  const pad = 20;
  const width = Math.max(1, Math.ceil(box.maxX - box.minX + 2 * pad));
  const height = Math.max(1, Math.ceil(box.maxY - box.minY + 2 * pad));
  const shift = `translate(${num(pad - box.minX)} ${num(pad - box.minY)})`;
  const body = entries.map((entry) => renderElement(entry, files, options)).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" ' +
    'markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10" fill="none" ' +
    'stroke="context-stroke" stroke-width="1.5"/></marker></defs>' +
    `<rect width="100%" height="100%" fill="#ffffff"/><g transform="${shift}">${body}</g></svg>`
  );
}

function num(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 100) / 100) : '0';
}

function bounds(els: BoardElement[]) {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const el of els) {
    const pts = el.points?.length
      ? el.points.map(([px, py]) => [el.x + px, el.y + py] as const)
      : [[el.x, el.y] as const, [el.x + (el.width || 0), el.y + (el.height || 0)] as const];
    for (const [x, y] of pts) {
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  return Number.isFinite(minX)
    ? { minX, minY, maxX, maxY }
    : { minX: 0, minY: 0, maxX: 0, maxY: 0 };
}

function strokeAttrs(el: BoardElement): string {
  const stroke = safeColor(el.strokeColor) ?? '#1e1e1e';
  const fill =
    el.backgroundColor && el.backgroundColor !== 'transparent'
      ? (safeColor(el.backgroundColor) ?? 'none')
      : 'none';
  const w = Number(el.strokeWidth) || 1;
  const dash =
    el.strokeStyle === 'dashed'
      ? ` stroke-dasharray="${num(w * 4)} ${num(w * 3)}"`
      : el.strokeStyle === 'dotted'
        ? ` stroke-dasharray="${num(w)} ${num(w * 2)}"`
        : '';
  return `stroke="${escapeXml(stroke)}" fill="${escapeXml(fill)}" stroke-width="${num(w)}"${dash}`;
}

function renderElement(
  entry: BoardEntry,
  files: Y.Map<BoardFileRef>,
  options: RenderBoardOptions,
): string {
  const { el } = entry;
  const author =
    options.authorOf && entry.client !== undefined ? options.authorOf(entry.client) : undefined;
  const x = Number(el.x) || 0;
  const y = Number(el.y) || 0;
  const w = Number(el.width) || 0;
  const h = Number(el.height) || 0;
  const angle = Number(el.angle) || 0;
  const rotate = angle
    ? ` transform="rotate(${num((angle * 180) / Math.PI)} ${num(x + w / 2)} ${num(y + h / 2)})"`
    : '';
  const opacity =
    el.opacity !== undefined && el.opacity < 100 ? ` opacity="${num(el.opacity / 100)}"` : '';
  const who = author ? ` data-author="${escapeXml(author.id)}"` : '';
  const open = `<g data-id="${escapeXml(el.id)}" data-type="${escapeXml(el.type)}"${who}${rotate}${opacity}>`;
  const halo = author
    ? `<rect x="${num(x - 4)}" y="${num(y - 4)}" width="${num(w + 8)}" height="${num(h + 8)}" fill="none" stroke="${escapeXml(author.color)}" stroke-width="1" stroke-dasharray="3 3"/>`
    : '';
  return `${open}${halo}${shape(el, x, y, w, h, files, options)}</g>`;
}

function shape(
  el: BoardElement,
  x: number,
  y: number,
  w: number,
  h: number,
  files: Y.Map<BoardFileRef>,
  options: RenderBoardOptions,
): string {
  const paint = strokeAttrs(el);
  switch (el.type) {
    case 'rectangle': {
      const r = el.roundness ? ` rx="${num(Math.min(w, h) * 0.1)}"` : '';
      return `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}"${r} ${paint}/>`;
    }
    case 'ellipse':
      return `<ellipse cx="${num(x + w / 2)}" cy="${num(y + h / 2)}" rx="${num(w / 2)}" ry="${num(h / 2)}" ${paint}/>`;
    case 'diamond':
      return `<polygon points="${num(x + w / 2)},${num(y)} ${num(x + w)},${num(y + h / 2)} ${num(x + w / 2)},${num(y + h)} ${num(x)},${num(y + h / 2)}" ${paint}/>`;
    case 'line':
    case 'arrow':
    case 'freedraw': {
      const pts = (el.points ?? []).map(([px, py]) => `${num(x + px)},${num(y + py)}`).join(' ');
      const markers =
        el.type === 'arrow'
          ? `${el.endArrowhead ? ' marker-end="url(#arrow)"' : ''}${el.startArrowhead ? ' marker-start="url(#arrow)"' : ''}`
          : '';
      const linePaint =
        el.type === 'freedraw' ? paint.replace(/fill="[^"]*"/, 'fill="none"') : paint;
      return `<polyline points="${pts}" stroke-linecap="round" stroke-linejoin="round" ${linePaint}${markers}/>`;
    }
    case 'text': {
      const size = Number(el.fontSize) || 20;
      const lineHeight = size * (Number(el.lineHeight) || 1.25);
      const anchor =
        el.textAlign === 'center' ? 'middle' : el.textAlign === 'right' ? 'end' : 'start';
      const tx = anchor === 'middle' ? x + w / 2 : anchor === 'end' ? x + w : x;
      const font = FONTS[Number(el.fontFamily)] ?? FONTS[5]!;
      const fill = safeColor(el.strokeColor) ?? '#1e1e1e';
      const lines = String(el.text ?? '').split('\n');
      const spans = lines
        .map(
          (line, i) =>
            `<tspan x="${num(tx)}" y="${num(y + i * lineHeight + lineHeight * 0.8)}">${escapeXml(line)}</tspan>`,
        )
        .join('');
      return `<text font-family="${escapeXml(font)}" font-size="${num(size)}" fill="${escapeXml(fill)}" text-anchor="${anchor}">${spans}</text>`;
    }
    case 'image': {
      const id = typeof el.fileId === 'string' ? el.fileId : '';
      const stored = id ? files.get(id) : undefined;
      const href = options.fileHref ? options.fileHref(id, stored) : safeUrl(stored?.url);
      if (!href) {
        return `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" fill="#eeeeee" stroke="#999999"/>`;
      }
      return `<image href="${escapeXml(href)}" x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" preserveAspectRatio="none"/>`;
    }
    case 'frame':
    case 'magicframe': {
      const label = el.name ? escapeXml(el.name) : '';
      return `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" fill="none" stroke="#bbbbbb" stroke-dasharray="6 4"/><text x="${num(x)}" y="${num(y - 6)}" font-size="14" fill="#555555" font-family="sans-serif">${label}</text>`;
    }
    default:
      return `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" ${paint}/>`;
  }
}
