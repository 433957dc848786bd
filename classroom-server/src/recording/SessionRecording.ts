import { createHash, randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PreauError, RECORDING_LIMITS, type RecordingState } from '@preau/protocol';
import { background, type Logger } from '@preau/protocol/server';
import { RoomRecorder, type SfuApi } from '@preau/sfu';
import {
  abandonRecordings,
  finishRecording,
  insertRecording,
  insertSpaceFile,
  type ObjectStore,
  spaceFileKey,
} from '@preau/storage';
import type { SessionContext } from '../session/SessionContext';
import type { Actor } from '../session/types';

/** What recording needs beyond the session: where the bytes go and where ffmpeg works. */
export interface RecordingDeps {
  objects: ObjectStore;
  /** A folder for the files being recorded (default: the system's temporary folder). */
  dir?: string;
  ffmpeg?: string;
  ffprobe?: string;
}

interface Current {
  state: RecordingState;
  recorder: RoomRecorder;
  dir: string;
  limit: NodeJS.Timeout;
  /** The error code that stopped it by itself, if one did (kept in its trace). */
  failure: string | null;
}

/**
 * The recording of one live session: the teacher starts and stops it; the
 * server records from the SFU (never a browser) and, at stop, stores the
 * file in object storage as a file of the session's space, with its row,
 * its SHA-256 and its traces in one transaction. Everyone sees the state in
 * the session's view. A failure of ffmpeg never ends the session: the
 * moderators are told (`recording.failed`) and what was recorded is kept.
 * During breakouts only the main room is recorded (as in the other virtual
 * classrooms): the pupils in a room, who hear only their room, are not.
 */
export class SessionRecording {
  readonly #s: SessionContext;
  readonly #sfu: SfuApi | null;
  readonly #deps: RecordingDeps | undefined;
  readonly #log: Logger;
  readonly #records: (participantId: string) => boolean;
  #current: Current | null = null;
  #starting = false;

  constructor(
    session: SessionContext,
    sfu: SfuApi | null,
    deps: RecordingDeps | undefined,
    log: Logger,
    records: (participantId: string) => boolean = () => true,
  ) {
    this.#s = session;
    this.#records = records;
    this.#sfu = sfu;
    this.#deps = deps;
    this.#log = log.child({ module: 'recording' });
    // A recording the process lost (crash) is over: nobody must be told it still records.
    background(this.#log, 'abandon lost recordings', () =>
      this.#s.write((tx) => abandonRecordings(tx, this.#s.id, this.#s.now())),
    );
  }

  /** The recording in progress, for the session's view. */
  get state(): RecordingState | null {
    return this.#current?.state ?? null;
  }

  /** Starts recording (moderators only): `conflict` if one runs, `unavailable` without media or ffmpeg. */
  start(actor: Actor): Promise<{ recordingId: string }> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      if (this.#current || this.#starting)
        throw new PreauError('conflict', 'a recording is already running');
      if (!this.#sfu || !this.#deps || !s.media)
        throw new PreauError('unavailable', 'this server does not record');
      const at = s.now();
      const state: RecordingState = {
        recordingId: `rec${randomUUID().replaceAll('-', '')}`,
        since: at.toISOString(),
        by: p.id,
      };
      const dir = join(this.#deps.dir ?? tmpdir(), `preau-recording-${state.recordingId}`);
      this.#starting = true;
      let recorder: RoomRecorder;
      try {
        await s.media.routerCapabilities();
        recorder = await RoomRecorder.start({
          sfu: this.#sfu,
          roomId: s.id,
          dir,
          log: this.#log.child({ recordingId: state.recordingId }),
          preferPeerId: p.id,
          records: (peerId) => this.#records(peerId),
          ffmpeg: this.#deps.ffmpeg,
          ffprobe: this.#deps.ffprobe,
          onFailure: (err) => this.#failed(state.recordingId, err),
        });
      } catch (err) {
        this.#starting = false;
        this.#log.error({ err }, 'recording could not start');
        await rm(dir, { recursive: true, force: true });
        throw err instanceof PreauError ? err : new PreauError('unavailable', 'recording failed');
      }
      try {
        await s.write(async (tx) => {
          await insertRecording(tx, {
            id: state.recordingId,
            sessionId: s.id,
            spaceId: s.space,
            startedBy: p.id,
            startedAt: at,
          });
          await s.trace(tx, p.id, 'recording.started', state.recordingId, { session: s.id }, at);
        });
      } catch (err) {
        this.#starting = false;
        await recorder.discard();
        throw err;
      }
      const limit = setTimeout(
        () =>
          background(this.#log, 'recording time limit', () =>
            this.#finish(state.recordingId, p.id),
          ),
        RECORDING_LIMITS.maxDurationMs,
      );
      this.#current = { state, recorder, dir, limit, failure: recorder.failure?.code ?? null };
      this.#starting = false;
      s.broadcast('session.updated', s.view());
      // ffmpeg may have failed before the recording was set up: it ends at once.
      if (recorder.failure)
        background(this.#log, 'saving a failed recording', () =>
          this.#finish(state.recordingId, p.id),
        );
      return { recordingId: state.recordingId };
    });
  }

  /**
   * Who may be recorded changed (breakout rooms opened, closed, someone
   * moved): the recording follows at once rather than at its next poll, in
   * the background (the session does not wait for a new segment).
   */
  refresh(): void {
    const recorder = this.#current?.recorder;
    if (recorder) background(this.#log, 'recording follows the rooms', () => recorder.refresh());
  }

  /** Stops the recording (moderators only) and saves it; resolves once the file is stored. */
  async stop(actor: Actor): Promise<void> {
    const s = this.#s;
    const { id, by } = await s.run(async () => {
      const p = s.requireModerator(actor);
      if (!this.#current) throw new PreauError('conflict', 'nothing is being recorded');
      return { id: this.#current.state.recordingId, by: p.id };
    });
    await this.#finish(id, by);
  }

  /** The session is ending or unloading: a recording in progress is stopped and saved. */
  async close(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    await this.#finish(current.state.recordingId, current.state.by).catch((err: unknown) =>
      this.#log.error({ err }, 'saving the recording at session end failed'),
    );
  }

  /** Stops `recordingId` if it is still the current one, stores its file and records it. */
  async #finish(recordingId: string, by: string): Promise<void> {
    const current = this.#current;
    if (!current || current.state.recordingId !== recordingId) return;
    this.#current = null;
    clearTimeout(current.limit);
    this.#s.broadcast('session.updated', this.#s.view());
    try {
      const file = await current.recorder.stop().catch(async (err: unknown) => {
        await this.#record(current, by, null);
        throw err;
      });
      await this.#store(current, by, file);
    } finally {
      await rm(current.dir, { recursive: true, force: true });
    }
  }

  async #store(
    current: Current,
    by: string,
    file: { path: string; durationMs: number },
  ): Promise<void> {
    const { state } = current;
    const objects = this.#deps!.objects;
    const s = this.#s;
    const body = await readFile(file.path);
    const fileId = `f${randomUUID().replaceAll('-', '')}`;
    const key = spaceFileKey(s.space, fileId);
    const startedAt = new Date(state.since);
    const record = {
      id: fileId,
      spaceId: s.space,
      name: recordingName(startedAt),
      objectKey: key,
      mimeType: 'video/webm',
      size: body.byteLength,
      sha256: createHash('sha256').update(body).digest('hex'),
      // The one who recorded: their erasure removes it (unless held), like any file they shared.
      uploadedBy: state.by,
      uploadedAt: s.now(),
    };
    await objects.put(key, body, record.mimeType);
    try {
      await this.#record(current, by, { ...record, durationMs: file.durationMs });
    } catch (err) {
      await objects.delete(key).catch((e: unknown) => {
        this.#log.warn({ err: e, key }, 'orphan recording object left');
      });
      throw err;
    }
    this.#log.info(
      { recordingId: state.recordingId, size: record.size, durationMs: file.durationMs },
      'recording saved',
    );
  }

  /** The recording's end, its file (if any) and their traces, in one transaction. */
  async #record(
    current: Current,
    by: string,
    file: (Parameters<typeof insertSpaceFile>[1] & { durationMs: number }) | null,
  ): Promise<void> {
    const { state } = current;
    const s = this.#s;
    const at = s.now();
    await s.write(async (tx) => {
      if (file) {
        const { durationMs, ...row } = file;
        await insertSpaceFile(tx, row);
        await s.trace(tx, state.by, 'file.added', row.id, {
          name: row.name,
          mimeType: row.mimeType,
          size: row.size,
          sha256: row.sha256,
          recording: state.recordingId,
          session: s.id,
        });
      }
      await finishRecording(tx, {
        id: state.recordingId,
        stoppedAt: at,
        durationMs: file?.durationMs ?? null,
        fileId: file?.id ?? null,
      });
      await s.trace(
        tx,
        by,
        'recording.stopped',
        state.recordingId,
        {
          session: s.id,
          file: file?.id ?? null,
          sha256: file?.sha256 ?? null,
          size: file?.size ?? 0,
          durationMs: file?.durationMs ?? 0,
          // Why it stopped by itself (ffmpeg's failure), null when the teacher or the end stopped it.
          failure: current.failure,
        },
        at,
      );
    });
  }

  #failed(recordingId: string, err: PreauError): void {
    this.#log.error({ err, recordingId }, 'recording stopped by a failure');
    this.#s.broadcast('recording.failed', { recordingId, code: err.code });
    const current = this.#current;
    // Not set up yet: start() sees the recorder's failure and ends it.
    if (current?.state.recordingId !== recordingId) return;
    current.failure = err.code;
    background(this.#log, 'saving a failed recording', () =>
      this.#finish(recordingId, current.state.by),
    );
  }
}

/** A recording's file name: when it started, in the school's time (Paris). */
function recordingName(at: Date): string {
  const stamp = new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris',
    dateStyle: 'short',
    timeStyle: 'short',
  })
    .format(at)
    .replaceAll('/', '-')
    .replace(':', 'h');
  return `Enregistrement ${stamp}.webm`;
}
