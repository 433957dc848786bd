import { z } from 'zod';
import { Id, PersonId, SpaceId } from './ids';

// Wire schemas of documents: pads (rich text, Tiptap on Yjs) and boards
// (whiteboards, Excalidraw on Yjs), their lifecycle in a space and their history.

/** What a document is: a pad or a board. */
export const DocKind = z.enum(['pad', 'board']);
export type DocKind = z.infer<typeof DocKind>;

/** A document identifier (also the Yjs document's name on the docs server). */
export const DocId = Id;
export type DocId = Id;

/** A document's title as people type it. */
export const DocTitle = z.string().trim().min(1).max(120);

/** A document as lists and pages show it. */
export const DocSummary = z.object({
  id: DocId,
  space: SpaceId,
  kind: DocKind,
  title: z.string(),
  createdBy: PersonId,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Archived documents stay readable and keep their history, but nobody may edit them. */
  archived: z.boolean(),
});
export type DocSummary = z.infer<typeof DocSummary>;

/** `POST /api/docs`: a new pad or board in a space. */
export const CreateDocInput = z.object({ space: SpaceId, kind: DocKind, title: DocTitle });
export type CreateDocInput = z.infer<typeof CreateDocInput>;

/** `PATCH /api/docs/[docId]`: rename, or archive (archiving cannot be undone here). */
export const UpdateDocInput = z.union([
  z.object({ title: DocTitle }),
  z.object({ archived: z.literal(true) }),
]);
export type UpdateDocInput = z.infer<typeof UpdateDocInput>;

/** One author of a document, with the colour their writing is shown in. */
export const DocAuthor = z.object({
  id: PersonId,
  name: z.string(),
  color: z.string(),
});
export type DocAuthor = z.infer<typeof DocAuthor>;

/** `GET /api/docs/[docId]/history`: the span of a document's history. */
export const DocHistory = z.object({
  doc: DocSummary,
  /** Number of stored updates; versions are numbered 1…updates. */
  updates: z.number().int().nonnegative(),
  first: z.string().nullable(),
  last: z.string().nullable(),
  authors: z.array(DocAuthor),
});
export type DocHistory = z.infer<typeof DocHistory>;

/** `GET /api/docs/[docId]/history/version?seq=|at=`: the document as it was. */
export const DocVersionQuery = z.union([
  z.object({ seq: z.coerce.number().int().nonnegative() }),
  z.object({ at: z.iso.datetime({ offset: true }) }),
]);
export type DocVersionQuery = z.infer<typeof DocVersionQuery>;

/** A rendered past version: HTML for a pad, SVG for a board, with authorship. */
export const DocVersion = z.object({
  seq: z.number().int().nonnegative(),
  at: z.string().nullable(),
  author: PersonId.nullable(),
  /** Rendered markup (escaped by the renderer); pads give HTML, boards SVG. */
  markup: z.string(),
  /** Base64 of the Yjs state at that version, for restoring it. */
  state: z.string(),
});
export type DocVersion = z.infer<typeof DocVersion>;

/** `POST /api/docs/[docId]/restored`: records that a past version was restored. */
export const DocRestoredInput = z.object({ seq: z.number().int().nonnegative() });
export type DocRestoredInput = z.infer<typeof DocRestoredInput>;

/** `POST /api/docs/[docId]/files`: an image stored for a pad or a board. */
export const DocFile = z.object({
  id: Id,
  url: z.string(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
});
export type DocFile = z.infer<typeof DocFile>;

/** Image types accepted for pads and boards (no SVG: it can carry scripts). */
export const DOC_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** Path prefix of the documents' WebSocket on the one port. */
export const DOCS_WS_PATH = '/docs-ws';

/** Limits the docs server enforces from the first message. */
export const DOC_LIMITS = {
  /** Largest WebSocket message accepted (a pasted page of text fits comfortably). */
  maxMessageBytes: 1024 * 1024,
  /** Messages per second a connection may sustain (typing, pointer moves, syncs). */
  messagesPerSecond: 60,
  /** Burst allowance above the sustained rate. */
  messageBurst: 300,
  /** Bytes per second a connection may sustain. */
  bytesPerSecond: 512 * 1024,
  /** Largest image upload. */
  maxImageBytes: 10 * 1024 * 1024,
} as const;

/** Names of the shared Yjs types in a document (the contract with the editors). */
export const DOC_YJS = {
  /** Tiptap's Collaboration extension field for pads. */
  padFragment: 'default',
  /** y-excalidraw's elements array for boards. */
  boardElements: 'elements',
  /** Board images: references to object storage, never the bytes. */
  boardFiles: 'files',
} as const;

/** The state a user sees next to the editor. */
export const SaveState = z.enum(['saved', 'saving', 'offline', 'readonly']);
export type SaveState = z.infer<typeof SaveState>;

/** Colours for authors and carets: dark enough for white text, distinct enough side by side. */
export const AUTHOR_COLORS = [
  '#1d4f91',
  '#a4262c',
  '#107c10',
  '#8a3ca3',
  '#b35900',
  '#00727a',
  '#6b5b00',
  '#c2185b',
  '#3f51b5',
  '#5d4037',
] as const;

/** A stable colour for a person (same person, same colour, on every page). */
export function authorColor(personId: string): string {
  let hash = 0;
  for (let i = 0; i < personId.length; i++) hash = (hash * 31 + personId.charCodeAt(i)) >>> 0;
  return AUTHOR_COLORS[hash % AUTHOR_COLORS.length]!;
}
