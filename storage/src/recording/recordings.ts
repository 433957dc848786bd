import type { Executor } from '../identity/directory';

/** A recording of a live session as stored; its bytes are the space file `fileId`. */
export interface RecordingRecord {
  id: string;
  sessionId: string;
  spaceId: string;
  startedBy: string;
  startedAt: Date;
  stoppedAt: Date | null;
  durationMs: number | null;
  fileId: string | null;
}

/** A saved recording with what its file says (listing and playing). */
export interface SavedRecording extends RecordingRecord {
  fileId: string;
  sessionTitle: string;
  objectKey: string;
  mimeType: string;
  size: number;
  sha256: string;
}

type Row = {
  id: string;
  session_id: string;
  space_id: string;
  started_by: string;
  started_at: Date | string;
  stopped_at: Date | string | null;
  duration_ms: number | null;
  file_id: string | null;
};

function toRecord(r: Row): RecordingRecord {
  return {
    id: r.id,
    sessionId: r.session_id,
    spaceId: r.space_id,
    startedBy: r.started_by,
    startedAt: new Date(r.started_at),
    stoppedAt: r.stopped_at ? new Date(r.stopped_at) : null,
    durationMs: r.duration_ms,
    fileId: r.file_id,
  };
}

/** Records that a recording started (in the transaction of its trace). */
export async function insertRecording(
  db: Executor,
  r: Pick<RecordingRecord, 'id' | 'sessionId' | 'spaceId' | 'startedBy' | 'startedAt'>,
): Promise<void> {
  await db
    .insertInto('live_recording')
    .values({
      id: r.id,
      session_id: r.sessionId,
      space_id: r.spaceId,
      started_by: r.startedBy,
      started_at: r.startedAt,
    })
    .execute();
}

/** Marks a recording stopped, with its file when one was saved; false if it was already stopped. */
export async function finishRecording(
  db: Executor,
  r: { id: string; stoppedAt: Date; durationMs: number | null; fileId: string | null },
): Promise<boolean> {
  const done = await db
    .updateTable('live_recording')
    .set({ stopped_at: r.stoppedAt, duration_ms: r.durationMs, file_id: r.fileId })
    .where('id', '=', r.id)
    .where('stopped_at', 'is', null)
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}

/** The recording in progress in a session, if any. */
export async function activeRecording(
  db: Executor,
  sessionId: string,
): Promise<RecordingRecord | null> {
  const row = await db
    .selectFrom('live_recording')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('stopped_at', 'is', null)
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Stops what a crash left "in progress" in a session (its bytes are lost): none stays forever. */
export async function abandonRecordings(db: Executor, sessionId: string, at: Date): Promise<void> {
  await db
    .updateTable('live_recording')
    .set({ stopped_at: at })
    .where('session_id', '=', sessionId)
    .where('stopped_at', 'is', null)
    .execute();
}

function savedQuery(db: Executor) {
  return db
    .selectFrom('live_recording as r')
    .innerJoin('space_file as f', 'f.id', 'r.file_id')
    .leftJoin('live_session as s', 's.id', 'r.session_id')
    .selectAll('r')
    .select([
      'f.object_key',
      'f.mime_type',
      'f.size',
      'f.sha256',
      's.title as session_title',
      'f.deleted_at',
    ])
    .where('f.deleted_at', 'is', null);
}

type SavedRow = Row & {
  object_key: string;
  mime_type: string;
  size: number | string;
  sha256: string;
  session_title: string | null;
};

function toSaved(r: SavedRow): SavedRecording {
  return {
    ...toRecord(r),
    fileId: r.file_id ?? '',
    sessionTitle: r.session_title ?? '',
    objectKey: r.object_key,
    mimeType: r.mime_type,
    size: Number(r.size),
    sha256: r.sha256,
  };
}

/** A space's saved recordings (their file still there), newest first. */
export async function savedRecordings(db: Executor, spaceId: string): Promise<SavedRecording[]> {
  const rows = await savedQuery(db)
    .where('r.space_id', '=', spaceId)
    .orderBy('r.started_at', 'desc')
    .orderBy('r.id', 'desc')
    .execute();
  return rows.map((r) => toSaved(r as SavedRow));
}

/** One saved recording of a space, or null. */
export async function savedRecording(
  db: Executor,
  spaceId: string,
  recordingId: string,
): Promise<SavedRecording | null> {
  const row = await savedQuery(db)
    .where('r.space_id', '=', spaceId)
    .where('r.id', '=', recordingId)
    .executeTakeFirst();
  return row ? toSaved(row as SavedRow) : null;
}

/** The recording in progress in a space's open session, if any (told before joining). */
export async function activeRecordingOfSpace(
  db: Executor,
  spaceId: string,
): Promise<RecordingRecord | null> {
  const row = await db
    .selectFrom('live_recording as r')
    .innerJoin('live_session as s', 's.id', 'r.session_id')
    .selectAll('r')
    .where('r.space_id', '=', spaceId)
    .where('r.stopped_at', 'is', null)
    .where('s.phase', '!=', 'ended')
    .orderBy('r.started_at', 'desc')
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}
