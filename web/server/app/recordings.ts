import {
  PreauError,
  type RecordingState,
  type RecordingView,
  type SessionUser,
} from '@preau/protocol';
import {
  activeRecordingOfSpace,
  directoryNames,
  type ObjectStore,
  type SavedRecording,
  type Schema,
  savedRecording,
  savedRecordings,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess } from './access';

type User = Pick<SessionUser, 'id' | 'profiles' | 'roles'>;

/** A recording's bytes, whole or the part a player asked for. */
export interface RecordingBytes {
  recording: SavedRecording;
  body: Uint8Array;
}

/**
 * Recordings of a space's live sessions, as its members find them: the one
 * in progress (told before joining), the saved ones (listed and played by
 * those who may read the space). Recording itself happens in the live
 * session server; a recording's bytes are a file of the space, so deleting,
 * retention, holds, erasure and export are the files' own.
 */
export class RecordingsService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;
  readonly #objects: ObjectStore;

  constructor(deps: { db: Kysely<Schema>; access: SpaceAccess; objects: ObjectStore }) {
    this.#db = deps.db;
    this.#access = deps.access;
    this.#objects = deps.objects;
  }

  /** The space's recording in progress and its saved recordings, newest first (`read`). */
  async overview(
    user: User,
    spaceId: string,
  ): Promise<{ recordingNow: RecordingState | null; recordings: RecordingView[] }> {
    await this.#access.require(user, spaceId, 'read');
    const [active, saved] = await Promise.all([
      activeRecordingOfSpace(this.#db, spaceId),
      savedRecordings(this.#db, spaceId),
    ]);
    const names = await directoryNames(this.#db)(saved.map((r) => r.startedBy));
    return {
      recordingNow: active
        ? { recordingId: active.id, since: active.startedAt.toISOString(), by: active.startedBy }
        : null,
      recordings: saved.map((r) => ({
        id: r.id,
        sessionId: r.sessionId,
        sessionTitle: r.sessionTitle,
        startedAt: r.startedAt.toISOString(),
        durationMs: r.durationMs ?? 0,
        size: r.size,
        mimeType: r.mimeType,
        sha256: r.sha256,
        startedBy: r.startedBy,
        startedByName: names.get(r.startedBy) ?? '',
        url: `/api/spaces/${encodeURIComponent(spaceId)}/recordings/${encodeURIComponent(r.id)}`,
      })),
    };
  }

  /** A saved recording's bytes for a member who may read the space. */
  async play(user: User, spaceId: string, recordingId: string): Promise<RecordingBytes> {
    await this.#access.require(user, spaceId, 'read');
    const recording = await savedRecording(this.#db, spaceId, recordingId);
    if (!recording) throw new PreauError('not_found', 'no such recording');
    const body = await this.#objects.get(recording.objectKey);
    if (!body) throw new PreauError('not_found', 'no such recording');
    return { recording, body };
  }
}
