// CPU cost of recording a live class, against the SFU forwarding the same
// streams to a plain viewer, in one run on this machine (loopback only).
//
//   npx tsx load-tests/recording-bench.ts
//
// A room of one mediasoup worker gets SOURCES peers, each sending ffmpeg's
// test pattern (VP8 640×360, 25 fps, ~600 kbit/s) and a tone (Opus) as real
// RTP, encoded once beforehand and sent in a loop (their senders are not
// counted). Three phases of WINDOW_MS each,
// after a warm-up, read the CPU time of the worker and of the recorder's
// ffmpeg from /proc/<pid>/stat:
// - idle: the producers only (what the room costs anyway);
// - reference: one plain-RTP viewer consuming every stream (forwarding);
// - recording: the recorder (every microphone mixed, one picture forwarded
//   as is into WebM; ffmpeg decodes and encodes the audio only).
// The cost of one recording is the worker's extra CPU over idle plus
// ffmpeg's; recordings per core is one core divided by that cost.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@preau/protocol/server';
import { createSfu, RoomRecorder } from '@preau/sfu';
import {
  type FfmpegSource,
  ffmpegSourcePeer,
  plainConsumer,
  testSourceFile,
} from '@preau/sfu/testing';
import { cpuSeconds } from './sfu-targets';

const SOURCES = Number(process.env.SOURCES ?? 2);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 20_000);
const WARMUP_MS = 4_000;
/** The whole run stops by itself after this, whatever happens. */
const RUN_LIMIT_MS = 5 * 60_000;

interface Phase {
  name: string;
  /** Cores used by the SFU worker over the window. */
  worker: number;
  /** Cores used by the recorder's ffmpeg (0 when not recording). */
  ffmpeg: number;
}

async function measure(
  name: string,
  pids: { worker: number; ffmpeg?: () => number | undefined },
): Promise<Phase> {
  await sleep(WARMUP_MS);
  const ff0 = pids.ffmpeg?.();
  const w0 = cpuSeconds(pids.worker);
  const f0 = ff0 ? cpuSeconds(ff0) : 0;
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  const seconds = (performance.now() - t0) / 1000;
  const ff1 = pids.ffmpeg?.();
  if (ff0 !== ff1) throw new Error('the recorder started a new segment while measuring');
  const worker = (cpuSeconds(pids.worker) - w0) / seconds;
  const ffmpeg = ff1 ? (cpuSeconds(ff1) - f0) / seconds : 0;
  return { name, worker, ffmpeg };
}

async function main() {
  const deadline = setTimeout(() => {
    console.error('recording-bench: run limit reached, stopping');
    process.exit(2);
  }, RUN_LIMIT_MS);
  const sfu = await createSfu({ workers: 1, log: silentLogger() });
  const dir = await mkdtemp(join(tmpdir(), 'preau-rec-bench-'));
  const sources: FfmpegSource[] = [];
  const roomId = 'bench-recording';
  try {
    await sfu.createRoom({ roomId });
    const worker = (await sfu.load()).workers[0]!.pid;
    // Encoded once, sent without encoding: the machine's CPU goes to what is measured.
    const file = join(dir, 'source.webm');
    await testSourceFile(file, { size: '640x360', fps: 25, seconds: 20, bitrate: '600k' });
    for (let i = 0; i < SOURCES; i++) {
      sources.push(await ffmpegSourcePeer(sfu, { roomId, peerId: `peer${i}` }, { file }));
    }
    const load0 = loadavg()[0]!;
    const idle = await measure('idle (producers only)', { worker });

    const viewers = [];
    for (const s of sources) {
      for (const producerId of [s.micProducerId, s.cameraProducerId]) {
        viewers.push(await plainConsumer(sfu, { roomId, peerId: 'viewer' }, producerId));
      }
    }
    const reference = await measure('reference: forwarding to one viewer', { worker });
    for (const v of viewers) v.receiver.close();
    await sfu.closePeer({ roomId, peerId: 'viewer' });

    const recorder = await RoomRecorder.start({
      sfu,
      roomId,
      dir: join(dir, 'rec'),
      log: silentLogger(),
      preferPeerId: 'peer0',
    });
    const recording = await measure('recording', { worker, ffmpeg: () => recorder.ffmpegPid });
    const saved = await recorder.stop();
    const load1 = loadavg()[0]!;

    const recordingCost = recording.worker - idle.worker + recording.ffmpeg;
    const forwardingCost = reference.worker - idle.worker;
    const rows: Array<[string, string]> = [
      ['worker, idle (producers only)', cores(idle.worker)],
      ['worker, forwarding to one viewer (reference)', cores(reference.worker)],
      ['worker, recording', cores(recording.worker)],
      ['recorder ffmpeg', cores(recording.ffmpeg)],
      ['one recording (worker over idle + ffmpeg)', cores(recordingCost)],
      ['forwarding the same streams (worker over idle)', cores(forwardingCost)],
      [
        'recording / forwarding',
        forwardingCost > 0 ? `${(recordingCost / forwardingCost).toFixed(1)}×` : 'n/a',
      ],
      [
        'SFU + ffmpeg recording / SFU forwarding',
        `${((recording.worker + recording.ffmpeg) / reference.worker).toFixed(2)}×`,
      ],
      ['recordings at once per core (1 / cost)', String(Math.floor(1 / recordingCost))],
      [
        'recorded file',
        `${(saved.durationMs / 1000).toFixed(1)} s, ${(saved.size / 1024).toFixed(0)} KiB`,
      ],
    ];
    console.log(
      `recording-bench: ${SOURCES} peers (VP8 640×360 25 fps + Opus each), ` +
        `${WINDOW_MS / 1000} s per phase; ${cpus().length} × ${cpus()[0]?.model ?? '?'}; ` +
        `load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
    );
    for (const [what, value] of rows) console.log(`  ${what.padEnd(50)} ${value}`);
  } finally {
    for (const s of sources) await s.stop();
    await sfu.close();
    await rm(dir, { recursive: true, force: true });
    clearTimeout(deadline);
  }
}

function cores(value: number): string {
  return `${(value * 100).toFixed(1)} % of a core`;
}

await main();
