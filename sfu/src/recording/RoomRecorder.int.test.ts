import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfu, type Sfu } from '../index';
import { type FfmpegSource, ffmpegSourcePeer, testSourceFile } from '../testing/ffmpegSource';
import { runTool } from './ffmpeg';
import { RoomRecorder } from './RoomRecorder';

// A real mediasoup worker fed with real RTP (ffmpeg's test pattern and tone)
// recorded by ffmpeg through PlainTransports; ffprobe reads the result.
let sfu: Sfu;
let dir: string;
const sources: FfmpegSource[] = [];

beforeAll(async () => {
  sfu = await createSfu({ workers: 1, log: silentLogger() });
  dir = await mkdtemp(join(tmpdir(), 'preau-rec-'));
  // Encoded once and sent in a loop: the machine's CPU goes to the recording.
  await testSourceFile(join(dir, 'source.webm'), { size: '320x240', fps: 15, seconds: 5 });
});

afterAll(async () => {
  for (const s of sources) await s.stop();
  await sfu?.close();
  await rm(dir, { recursive: true, force: true });
});

const source = () => join(dir, 'source.webm');

async function streamsOf(path: string) {
  const out = await runTool('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,width,height:format=duration',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(out) as {
    streams: Array<{ codec_type: string; codec_name: string; width?: number }>;
    format: { duration: string };
  };
}

/** A new room with the teacher streaming, and a recorder of it writing into `folder`. */
async function recordingTeacher(
  roomId: string,
  folder: string,
  records?: (peerId: string) => boolean,
) {
  await sfu.createRoom({ roomId });
  sources.push(await ffmpegSourcePeer(sfu, { roomId, peerId: 'teacher' }, { file: source() }));
  await new Promise((r) => setTimeout(r, 1000));
  return RoomRecorder.start({
    sfu,
    roomId,
    dir: join(dir, folder),
    log: silentLogger(),
    preferPeerId: 'teacher',
    ...(records ? { records } : {}),
  });
}

/**
 * A recorder of a new room with the teacher streaming, once a pupil has
 * arrived and the recorder's second segment has just started: its ffmpeg
 * runs, its consumers exist, paused until ffmpeg is ready (not yet resumed).
 */
async function secondSegmentOpening(roomId: string, records?: (peerId: string) => boolean) {
  const recorder = await recordingTeacher(roomId, roomId, records);
  const first = recorder.ffmpegPid;
  sources.push(await ffmpegSourcePeer(sfu, { roomId, peerId: 'pupil' }, { file: source() }));
  await expect
    .poll(() => recorder.ffmpegPid !== undefined && recorder.ffmpegPid !== first, {
      timeout: 10_000,
      interval: 5,
    })
    .toBe(true);
  return recorder;
}

describe('recording a room', () => {
  it('records about 10 s of a peer into one file with one audio and one video stream', async () => {
    const roomId = 'rec-room-1';
    const recorder = await recordingTeacher(roomId, 'one');
    await new Promise((r) => setTimeout(r, 7_000));
    // What was recorded is on disk as it goes, not in 256 kB writes (about
    // eight seconds of this picture): the folder says whether media came in.
    expect((await stat(join(dir, 'one', 'segment-1.webm'))).size).toBeGreaterThan(8_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const file = await recorder.stop();
    const probe = await streamsOf(file.path);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(probe.streams.find((s) => s.codec_type === 'video')?.codec_name).toBe('vp8');
    expect(probe.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('opus');
    const seconds = Number(probe.format.duration);
    expect(seconds).toBeGreaterThan(8);
    expect(seconds).toBeLessThan(12.5);
    expect(file.segments).toBe(1);
    expect(file.size).toBeGreaterThan(50_000);
    // The recorder's peer is gone from the room: only the source's producers remain.
    expect((await sfu.listProducers({ roomId })).length).toBe(2);
    for (const s of sources.splice(0)) await s.stop();
  }, 60_000);

  it('starts a new segment when a peer joins and joins the segments into one file', async () => {
    const roomId = 'rec-room-2';
    const recorder = await recordingTeacher(roomId, 'two');
    await new Promise((r) => setTimeout(r, 4_000));
    sources.push(await ffmpegSourcePeer(sfu, { roomId, peerId: 'student' }, { file: source() }));
    await new Promise((r) => setTimeout(r, 9_000));
    expect(recorder.segments).toBe(2);
    const file = await recorder.stop();
    expect(file.segments).toBe(2);
    const probe = await streamsOf(file.path);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Number(probe.format.duration)).toBeGreaterThan(7);
  }, 60_000);

  it('lets go of a peer no longer recorded at once, even while a segment opens, and goes on', async () => {
    const refused = new Set<string>();
    const recorder = await secondSegmentOpening('rec-room-3', (peerId) => !refused.has(peerId));
    // Then, before they are resumed, the pupil goes into a breakout room.
    refused.add('pupil');
    await recorder.refresh();
    expect(recorder.failure).toBeNull();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(recorder.failure).toBeNull();
    // What was recorded is kept (under load the short segments may hold no media).
    const file = await recorder.stop();
    expect(file.durationMs).toBeGreaterThan(0);
    for (const s of sources.splice(0)) await s.stop();
  }, 60_000);

  it('goes on when a recorded peer leaves while its segment opens', async () => {
    const roomId = 'rec-room-4';
    const recorder = await secondSegmentOpening(roomId);
    // Then, before they are resumed, the pupil's connection ends (still
    // allowed to be recorded): mediasoup closes the consumers of its streams.
    await sfu.closePeer({ roomId, peerId: 'pupil' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(recorder.failure).toBeNull();
    // The next poll starts a segment of what is left (the teacher).
    await expect.poll(() => recorder.segments, { timeout: 10_000 }).toBe(3);
    expect(recorder.failure).toBeNull();
    await new Promise((r) => setTimeout(r, 3_000));
    const file = await recorder.stop();
    expect(file.durationMs).toBeGreaterThan(0);
    for (const s of sources.splice(0)) await s.stop();
  }, 60_000);
});
