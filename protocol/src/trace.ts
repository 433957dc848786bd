import { z } from 'zod';
import { PersonId, SpaceId } from './ids';

/**
 * Kinds of collaborative acts recorded in the trace log. Later issues add
 * kinds here (and only here), so the archive knows every kind there is.
 */
export const TraceKind = z.enum([
  'doc.update',
  'doc.created',
  'doc.renamed',
  'doc.archived',
  'doc.restored',
  'doc.rewritten',
  'doc.file.added',
  'chat.message',
  'chat.edited',
  'chat.deleted',
  'session.started',
  'session.ended',
  'session.joined',
  'session.left',
  'session.moderation',
  'poll.created',
  'poll.answered',
  'poll.closed',
  'poll.published',
  'breakout.opened',
  'breakout.assigned',
  'breakout.message',
  'breakout.visit',
  'breakout.extended',
  'breakout.closed',
  'membership.changed',
  'space.created',
  'space.renamed',
  'space.state',
  'invitation.sent',
  'invitation.answered',
  'invitation.withdrawn',
  'file.added',
  'file.deleted',
  'recording.started',
  'recording.stopped',
  'presentation.opened',
  'presentation.page',
  'presentation.control',
  'presentation.marked',
  'presentation.cleared',
  'presentation.closed',
  'guest.created',
  'report.filed',
  'archive.redacted',
  'system.test',
]);
export type TraceKind = z.infer<typeof TraceKind>;

/** What a caller hands to the trace port: who did what, where, with which payload. */
export const TraceInput = z.object({
  actor: PersonId,
  kind: TraceKind,
  space: SpaceId,
  /** A sub-object of the space: a document, a session, a message. */
  subject: z.string().max(128).optional(),
  at: z.date().optional(),
  payload: z.record(z.string(), z.unknown()).default({}),
  /** Binary body (e.g. a Yjs update), stored as-is. */
  body: z.instanceof(Uint8Array).optional(),
});
export type TraceInput = z.input<typeof TraceInput>;

/** A trace record as stored: the input plus its per-space sequence number. */
export const TraceRecord = z.object({
  space: SpaceId,
  seq: z.number().int().positive(),
  actor: PersonId,
  kind: TraceKind,
  subject: z.string().nullable(),
  at: z.date(),
  payload: z.record(z.string(), z.unknown()),
  body: z.instanceof(Uint8Array).nullable(),
});
export type TraceRecord = z.infer<typeof TraceRecord>;
