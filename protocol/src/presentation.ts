// Presenting a PDF in a live session: the file (a space file, uploaded like
// any other), the page everyone sees, who turns the pages, and the marks
// drawn on each page. Its events join the live session's maps in classroom.ts.
import { z } from 'zod';
import { Id, PersonId } from './ids';

/** Ceilings of a presentation, shared so the browser can check before sending. */
export const PRESENTATION_LIMITS = {
  /** Pages a presented PDF may have (the presenter's browser counts them). */
  maxPages: 2000,
  /** Points in one stroke (the browser simplifies longer ones). */
  strokePoints: 400,
  noteChars: 200,
  /** Marks a page may hold. */
  marksPerPage: 500,
} as const;

/** Colours a mark may take (a small palette readable on a page). */
export const MARK_COLOURS = ['#c0392b', '#1f5fbf', '#1e7b3a', '#111111'] as const;
export const MarkColour = z.enum(MARK_COLOURS);
export type MarkColour = z.infer<typeof MarkColour>;

/** A position on a page, as a fraction of its width and height (0 to 1). */
const Fraction = z.number().min(0).max(1);

/** A freehand stroke: points as fractions of the page, so every screen draws it alike. */
export const StrokeMark = z
  .object({
    kind: z.literal('stroke'),
    colour: MarkColour,
    points: z
      .array(z.tuple([Fraction, Fraction]))
      .min(1)
      .max(PRESENTATION_LIMITS.strokePoints),
  })
  .strict();

/** A short text note placed on the page (the keyboard's way to annotate). */
export const NoteMark = z
  .object({
    kind: z.literal('note'),
    colour: MarkColour,
    at: z.tuple([Fraction, Fraction]),
    text: z.string().trim().min(1).max(PRESENTATION_LIMITS.noteChars),
  })
  .strict();

/** What is drawn: a stroke or a note. */
export const MarkShape = z.discriminatedUnion('kind', [StrokeMark, NoteMark]);
export type MarkShape = z.infer<typeof MarkShape>;

/** A mark as stored and shown: its shape, page, author and time. */
export const MarkView = z.object({
  markId: Id,
  page: z.number().int().min(1),
  shape: MarkShape,
  by: PersonId,
  at: z.string(),
});
export type MarkView = z.infer<typeof MarkView>;

/** The presentation in a session, as everyone sees it. */
export const PresentationView = z.object({
  presentationId: Id,
  /** The space file presented (a PDF). */
  fileId: Id,
  name: z.string().max(200),
  pages: z.number().int().min(1).max(PRESENTATION_LIMITS.maxPages),
  /** The page everyone sees (1-based). */
  page: z.number().int().min(1),
  /** A student the teachers let turn the pages and draw, or null. */
  controller: PersonId.nullable(),
  openedBy: PersonId,
  /** The marks of the page shown. */
  marks: z.array(MarkView),
});
export type PresentationView = z.infer<typeof PresentationView>;

const Ok = z.object({});
const PageNumber = z.number().int().min(1).max(PRESENTATION_LIMITS.maxPages);

/** Client → server events (acknowledged like every live event). */
export const PresentationClientEvents = {
  /** A moderator presents one of the space's PDF files to everyone, from page 1. */
  'presentation.open': {
    request: z.object({ fileId: Id, pages: PageNumber }).strict(),
    response: PresentationView,
  },
  /** A moderator (or the student given control) shows another page. */
  'presentation.page': { request: z.object({ page: PageNumber }).strict(), response: Ok },
  /** A moderator lets a participant turn the pages and draw, or takes it back (null). */
  'presentation.control': {
    request: z.object({ participantId: PersonId.nullable() }).strict(),
    response: Ok,
  },
  /** A moderator (or the controller) draws on the page shown. */
  'presentation.mark': {
    request: z.object({ page: PageNumber, shape: MarkShape }).strict(),
    response: MarkView,
  },
  /** A moderator (or the controller) clears a page's marks. */
  'presentation.clear': { request: z.object({ page: PageNumber }).strict(), response: Ok },
  /** A moderator stops presenting. */
  'presentation.close': { request: z.object({}).strict(), response: Ok },
} as const;

/** Server → client events of the presentation. */
export const PresentationServerEvents = {
  /** The presentation changed (opened, page, control) or closed (null). */
  'presentation.updated': z.object({ presentation: PresentationView.nullable() }),
  /** A mark was drawn on a page. */
  'presentation.marked': MarkView,
  /** A page's marks were cleared. */
  'presentation.cleared': z.object({ page: z.number().int().min(1) }),
} as const;

/** A presented PDF's marks outside a session: the class's files and the archive show them. */
export const FileAnnotations = z.object({
  fileId: Id,
  name: z.string(),
  marks: z.array(MarkView),
});
export type FileAnnotations = z.infer<typeof FileAnnotations>;
