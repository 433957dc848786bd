// Recording a live session: what everyone sees while it records, the
// teacher's two events, and a saved recording as the space lists it.
import { z } from 'zod';
import { Id, PersonId } from './ids';

/** A recording in progress: shown to everyone in the session and before joining it. */
export const RecordingState = z.object({
  recordingId: Id,
  /** When it started (ISO). */
  since: z.string(),
  /** Who started it. */
  by: PersonId,
});
export type RecordingState = z.infer<typeof RecordingState>;

/** The teacher's recording events (each needs the moderate right), merged into the live events map. */
export const RecordingClientEvents = {
  'recording.start': {
    request: z.object({}).strict(),
    response: z.object({ recordingId: Id }),
  },
  'recording.stop': {
    request: z.object({}).strict(),
    response: z.object({}),
  },
} as const;

/** Why a recording stopped on its own (ffmpeg failed, nothing could be recorded). */
export const RecordingFailed = z.object({ recordingId: Id, code: z.string().max(40) });
export type RecordingFailed = z.infer<typeof RecordingFailed>;

/** Server events about recording, merged into the live events map. */
export const RecordingServerEvents = {
  /** To the moderators: the recording stopped by itself; what was recorded until then is kept if any. */
  'recording.failed': RecordingFailed,
} as const;

/** A saved recording, as a space lists it. */
export const RecordingView = z.object({
  id: Id,
  sessionId: Id,
  sessionTitle: z.string(),
  startedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  mimeType: z.string(),
  sha256: z.string(),
  startedBy: PersonId,
  startedByName: z.string(),
  /** Where the page plays it (an authorised URL of this site). */
  url: z.string(),
});
export type RecordingView = z.infer<typeof RecordingView>;

/** Limits of a recording. */
export const RECORDING_LIMITS = {
  /** A recording stops by itself after this long (a forgotten one must not fill the disk). */
  maxDurationMs: 4 * 60 * 60 * 1000,
} as const;
