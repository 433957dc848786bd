import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { classSpaceId, type SessionView } from '@preau/protocol';
import { type LoggedLine, recordingLogger, silentLogger } from '@preau/protocol/server';
import { createSfu, probeDurationMs, type Sfu } from '@preau/sfu';
import { type FfmpegSource, ffmpegSourcePeer, testSourceFile } from '@preau/sfu/testing';
import {
  ArchiveDesk,
  Archiver,
  directoryNames,
  eraseSpaceFilesOf,
  loadArchiveSigner,
  savedRecordings,
  verifyBundle,
} from '@preau/storage';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startTestS3 } from '../../tests/support/s3';
import { call, type Harness, person, recorder, request, startHarness } from './test/harness';

const run = promisify(execFile);

// The whole path of a recording: a teacher starts it over the live socket,
// the server records real RTP (ffmpeg's test pattern and tone sent into a
// real mediasoup worker) for ~10 s, stops, stores the file in S3 with its
// hash traced, and the file travels in an evidence bundle with that hash;
// erasure of the teacher who recorded removes it, unless a hold covers it.
/**
 * The recorder's consumers at the SFU, as they are created and closed: the
 * session is given the real SFU, watched (not replaced), to see whose media
 * its recordings consume.
 */
function watchRecorder(sfu: Sfu) {
  const live = new Map<string, { peerId: string; producerId: string }>();
  type Params = Record<string, string>;
  const api = new Proxy(sfu, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      const fn = value.bind(target) as (params: Params) => Promise<unknown>;
      if (key === 'consume')
        return async (params: Params) => {
          const consumer = (await fn(params)) as { id: string };
          if (params.peerId!.startsWith('rec_'))
            live.set(consumer.id, { peerId: params.peerId!, producerId: params.producerId! });
          return consumer;
        };
      if (key === 'closeConsumer')
        return (params: Params) => {
          live.delete(params.consumerId!);
          return fn(params);
        };
      if (key === 'closePeer')
        return (params: Params) => {
          for (const [id, c] of live) if (c.peerId === params.peerId) live.delete(id);
          return fn(params);
        };
      return fn;
    },
  });
  return {
    api,
    /** Whose producers in `roomId` a recorder consumes now, sorted. */
    async peers(roomId: string): Promise<string[]> {
      const owners = new Map((await sfu.listProducers({ roomId })).map((p) => [p.id, p.peerId]));
      const peers = [...live.values()].map((c) => owners.get(c.producerId) ?? '(gone)');
      return [...new Set(peers)].sort();
    },
  };
}

describe('recording a live session', () => {
  /** The bytes the recording's segments hold so far (its folder under the test's `dir`). */
  async function segmentBytes(recordingId: string): Promise<number> {
    const folder = join(dir, `preau-recording-${recordingId}`);
    const files = (await readdir(folder).catch(() => [])).filter((f) => f.endsWith('.webm'));
    const sizes = await Promise.all(files.map((f) => stat(join(folder, f)).then((s) => s.size)));
    return sizes.reduce((a, b) => a + b, 0);
  }

  let sfu: Sfu;
  let watched: ReturnType<typeof watchRecorder>;
  let h: Harness;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let source: FfmpegSource | undefined;
  let dir: string;
  /** What the server logged (its recorder's lines are printed when a test fails). */
  let logged: LoggedLine[];

  beforeAll(async () => {
    sfu = await createSfu({ workers: 1, log: silentLogger() });
    watched = watchRecorder(sfu);
    s3 = await startTestS3();
    dir = await mkdtemp(join(tmpdir(), 'preau-rec-it-'));
    const { log, lines } = recordingLogger();
    logged = lines;
    h = await startHarness({ log, sfu: watched.api, recording: { objects: s3.store, dir } });
    // Encoded once and sent in a loop: the machine's CPU goes to the recording.
    await testSourceFile(join(dir, 'source.webm'), { size: '320x240', fps: 15, seconds: 5 });
  });
  afterAll(async () => {
    await source?.stop();
    await h?.close();
    await sfu?.close();
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records ~10 s into one stored file, announced to all, traced with its hash and exported', async () => {
    const sessionId = await h.startSession('4eR', 'prof');
    const space = classSpaceId('4eR');
    const teacher = await h.join(sessionId, person('prof', '4eR', 'teacher'));
    const student = await h.join(sessionId, person('lina', '4eR', 'student'));
    const seen = recorder(student);
    // The teacher's camera and microphone, as RTP into the session's SFU room.
    source = await ffmpegSourcePeer(
      sfu,
      { roomId: sessionId, peerId: 'prof' },
      { file: join(dir, 'source.webm') },
    );
    await new Promise((r) => setTimeout(r, 1500));

    const refused = await request(student, 'recording.start', {});
    expect(refused.ok ? 'ok' : refused.error.code).toBe('forbidden');
    const { recordingId } = await call(teacher, 'recording.start', {});
    expect((await request(teacher, 'recording.start', {})).ok).toBe(false);
    await expect
      .poll(() => seen.of<SessionView>('session.updated').at(-1)?.recording?.recordingId)
      .toBe(recordingId);

    await new Promise((r) => setTimeout(r, 10_000));
    await call(teacher, 'recording.stop', {});
    expect(seen.of<SessionView>('session.updated').at(-1)?.recording).toBeNull();

    const [saved] = await savedRecordings(h.database.db, space);
    expect(saved?.id).toBe(recordingId);
    const bytes = await s3.store.get(saved!.objectKey);
    expect(bytes).not.toBeNull();
    const sha256 = createHash('sha256').update(bytes!).digest('hex');
    expect(saved!.sha256).toBe(sha256);
    const file = join(dir, 'check.webm');
    await writeFile(file, bytes!);
    const seconds = (await probeDurationMs(file)) / 1000;
    expect(seconds).toBeGreaterThan(8);
    expect(seconds).toBeLessThan(13);
    expect(saved!.durationMs).toBeGreaterThan(8000);
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type',
      '-of',
      'csv=p=0',
      file,
    ]);
    expect(stdout.trim().split('\n').sort()).toEqual(['audio', 'video']);

    // Traces: started, the file with its hash, stopped, in the space's log.
    const traces = await h.database.db
      .selectFrom('trace_outbox')
      .select(['kind', 'subject', 'payload'])
      .where('space_id', '=', space)
      .where('kind', 'in', ['recording.started', 'recording.stopped', 'file.added'])
      .orderBy('seq')
      .execute();
    expect(traces.map((t) => t.kind)).toEqual([
      'recording.started',
      'file.added',
      'recording.stopped',
    ]);
    expect((traces[1]!.payload as { sha256: string }).sha256).toBe(sha256);

    // The evidence bundle carries the file, its hash in the signed manifest.
    const db = h.database.db;
    const archiver = new Archiver({
      db,
      objects: s3.store,
      signer: await loadArchiveSigner(db),
      log: silentLogger(),
      segmentMax: 50,
    });
    try {
      await archiver.drain();
      const desk = new ArchiveDesk({
        db,
        objects: s3.store,
        signer: () => loadArchiveSigner(db),
        names: directoryNames(db),
        drain: () => archiver.drain(),
      });
      const archivist = { id: 'arch1', role: 'archivist' as const };
      const kase = await desk.openCase(archivist, {
        reference: 'PV-ENREG',
        legalBasis: 'Réquisition',
        authority: 'Parquet',
        description: '',
      });
      const hold = await desk.placeHold(archivist, kase.id, {
        space,
        person: undefined,
        from: undefined,
        until: undefined,
      });
      const { bytes: zip } = await desk.export(archivist, kase.id, []);
      expect(verifyBundle(zip).ok).toBe(true);
      const entries = unzipSync(zip);
      const path = `files/${space}/${saved!.fileId}/`;
      const inBundle = Object.keys(entries).find((p) => p.startsWith(path));
      expect(inBundle).toBeDefined();
      const manifest = JSON.parse(new TextDecoder().decode(entries['MANIFEST.json'])) as {
        files: Array<{ path: string; sha256: string }>;
      };
      expect(manifest.files.find((f) => f.path === inBundle)?.sha256).toBe(sha256);

      // Erasure: a student's leaves the recording; the recorder's removes it, but not under a hold.
      expect(await eraseSpaceFilesOf(db, 'lina')).toEqual([]);
      expect(await eraseSpaceFilesOf(db, 'prof')).toEqual([]);
      expect((await savedRecordings(db, space)).length).toBe(1);
      await desk.liftHold(archivist, kase.id, hold.id, 'affaire classée');
      const erased = await eraseSpaceFilesOf(db, 'prof');
      expect(erased.map((f) => f.id)).toEqual([saved!.fileId]);
      expect(await savedRecordings(db, space)).toEqual([]);
      const left = await db.selectFrom('live_recording').selectAll().execute();
      expect(left).toEqual([]);
    } finally {
      await archiver.close();
    }
  }, 120_000);

  it('saves a recording still running when the teacher ends the session', async () => {
    const sessionId = await h.startSession('4eS', 'prof');
    const space = classSpaceId('4eS');
    const teacher = await h.join(sessionId, person('prof', '4eS', 'teacher'));
    await source?.stop();
    source = await ffmpegSourcePeer(
      sfu,
      { roomId: sessionId, peerId: 'prof' },
      { file: join(dir, 'source.webm') },
    );
    await new Promise((r) => setTimeout(r, 1500));
    const { recordingId } = await call(teacher, 'recording.start', {});
    await new Promise((r) => setTimeout(r, 5_000));
    await call(teacher, 'session.end', {});
    await expect
      .poll(async () => (await savedRecordings(h.database.db, space))[0]?.id)
      .toBe(recordingId);
    const [saved] = await savedRecordings(h.database.db, space);
    expect(saved!.durationMs).toBeGreaterThan(2_000);
    expect(saved!.stoppedAt).not.toBeNull();
  }, 60_000);

  it('keeps to the main room during breakouts: a pupil in a room stops being recorded at once', async () => {
    const sessionId = await h.startSession('4eT', 'prof');
    const teacher = await h.join(sessionId, person('prof', '4eT', 'teacher'));
    await h.join(sessionId, person('lina', '4eT', 'student'));
    await h.join(sessionId, person('ben', '4eT', 'student'));
    await source?.stop();
    const file = { file: join(dir, 'source.webm') };
    source = await ffmpegSourcePeer(sfu, { roomId: sessionId, peerId: 'prof' }, file);
    const pupil = await ffmpegSourcePeer(sfu, { roomId: sessionId, peerId: 'lina' }, file);
    const since = Date.now();
    onTestFailed(async () => {
      // What the recorder did, and what its folder held: a failure on a loaded machine says why.
      const folders = (await readdir(dir)).filter((f) => f.startsWith('preau-recording-'));
      for (const f of folders) {
        const files = await readdir(join(dir, f));
        const sizes = await Promise.all(
          files.map((n) => stat(join(dir, f, n)).then((s) => s.size)),
        );
        console.error(f, files.map((n, i) => `${n} ${sizes[i]}`).join(', '));
      }
      for (const line of logged.filter((l) => l.module === 'recording' && Number(l.time) >= since))
        console.error(JSON.stringify(line).slice(0, 600));
    });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const { recordingId } = await call(teacher, 'recording.start', {});
      await expect.poll(() => watched.peers(sessionId)).toEqual(['lina', 'prof']);

      // Lina goes into room 1: the recorder lets go of her microphone and
      // camera at once (well before its 2 s poll), the teacher's stay.
      await call(teacher, 'breakout.open', {
        mode: 'manual',
        rooms: 2,
        minutes: 10,
        assignments: { lina: 1, ben: 2 },
      });
      await expect.poll(() => watched.peers(sessionId), { timeout: 1500 }).toEqual(['prof']);
      await new Promise((r) => setTimeout(r, 2500));
      expect(await watched.peers(sessionId)).toEqual(['prof']);

      // The teacher visits room 1: the main room is empty, nothing of room 1 is recorded.
      await call(teacher, 'breakout.visit', { room: 1 });
      await expect.poll(() => watched.peers(sessionId), { timeout: 1500 }).toEqual([]);

      // Everyone back: both recorded again, from the next segment on.
      await call(teacher, 'breakout.close', {});
      await expect
        .poll(() => watched.peers(sessionId), { timeout: 10_000 })
        .toEqual(['lina', 'prof']);
      // Each change of rooms started a segment of its own (a new ffmpeg):
      // on a loaded machine none may have received media yet, and a stop
      // would then rightly find nothing recorded. Stopped once one has
      // (segments reach the folder packet by packet).
      await expect.poll(() => segmentBytes(recordingId), { timeout: 30_000 }).toBeGreaterThan(4096);
      await call(teacher, 'recording.stop', {});
    } finally {
      await pupil.stop();
    }
  }, 60_000);
});
