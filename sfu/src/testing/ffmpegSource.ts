// A peer whose camera and microphone are ffmpeg's test sources (a test
// pattern and a sine tone), encoded to VP8 and Opus in real time and sent as
// RTP over two plain transports into the SFU. For tests and benchmarks.
import { type ChildProcess, spawn } from 'node:child_process';
import type { SfuApi } from '../SfuApi';
import { opusParameters, vp8Parameters } from './rtp';

const OPUS_PT = 100;
const VP8_PT = 101;

/** A running ffmpeg test source and the producers it feeds. */
export interface FfmpegSource {
  micProducerId: string;
  cameraProducerId: string;
  pid: number | undefined;
  /** Stops ffmpeg (its producers stay until their peer closes). */
  stop(): Promise<void>;
}

/** Starts a peer that sends a `size` test pattern at `fps` and a `frequency` Hz tone (or `file`). */
export async function ffmpegSourcePeer(
  sfu: SfuApi,
  at: { roomId: string; peerId: string },
  options: {
    size?: string;
    fps?: number;
    frequency?: number;
    ssrcBase?: number;
    /** A WebM file (VP8 and Opus) to send in a loop instead of encoding test sources live. */
    file?: string;
  } = {},
): Promise<FfmpegSource> {
  const base = options.ssrcBase ?? 5_000_000 + Math.floor(Math.random() * 1_000_000);
  const audioSsrc = base;
  const videoSsrc = base + 1;
  const mic = await sfu.createPlainTransport({ ...at, direction: 'send' });
  const camera = await sfu.createPlainTransport({ ...at, direction: 'send' });
  const { producerId: micProducerId } = await sfu.produce({
    ...at,
    transportId: mic.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: { ...opusParameters(audioSsrc), headerExtensions: [] },
  });
  const { producerId: cameraProducerId } = await sfu.produce({
    ...at,
    transportId: camera.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: vp8Parameters([videoSsrc]),
  });
  const fps = options.fps ?? 15;
  const video = [
    '-payload_type',
    String(VP8_PT),
    '-ssrc',
    String(videoSsrc),
    '-f',
    'rtp',
    `rtp://${camera.ip}:${camera.port}?pkt_size=1200`,
  ];
  const audio = [
    '-payload_type',
    String(OPUS_PT),
    '-ssrc',
    String(audioSsrc),
    '-f',
    'rtp',
    `rtp://${mic.ip}:${mic.port}?pkt_size=1200`,
  ];
  const args = options.file
    ? // A file already encoded (VP8 and Opus), sent in a loop without re-encoding: cheap.
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        options.file,
        '-map',
        '0:v:0',
        '-c:v',
        'copy',
        ...video,
        '-map',
        '0:a:0',
        '-c:a',
        'copy',
        ...audio,
      ]
    : [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-f',
        'lavfi',
        '-i',
        `testsrc=size=${options.size ?? '320x240'}:rate=${fps}`,
        '-re',
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=${options.frequency ?? 440}:sample_rate=48000`,
        '-map',
        '0:v',
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        '300k',
        '-g',
        String(fps),
        ...video,
        '-map',
        '1:a',
        '-c:a',
        'libopus',
        '-ac',
        '2',
        '-b:a',
        '48k',
        ...audio,
      ];
  const child: ChildProcess = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    micProducerId,
    cameraProducerId,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Encodes `seconds` of a test pattern and a tone into a WebM file (VP8 with a
 * keyframe every second, Opus), for sources that send it without encoding.
 */
export async function testSourceFile(
  path: string,
  options: { size?: string; fps?: number; seconds?: number; bitrate?: string } = {},
): Promise<void> {
  const fps = options.fps ?? 25;
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${options.size ?? '640x360'}:rate=${fps}`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(options.seconds ?? 20),
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    options.bitrate ?? '600k',
    '-g',
    String(fps),
    '-c:a',
    'libopus',
    '-ac',
    '2',
    '-b:a',
    '48k',
    '-y',
    path,
  ];
  const child = spawn('ffmpeg', args, { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`ffmpeg could not write the test source file (${code})`);
}
