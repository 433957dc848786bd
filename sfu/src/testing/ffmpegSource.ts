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

/** Starts a peer that sends a `size` test pattern at `fps` and a `frequency` Hz tone. */
export async function ffmpegSourcePeer(
  sfu: SfuApi,
  at: { roomId: string; peerId: string },
  options: { size?: string; fps?: number; frequency?: number; ssrcBase?: number } = {},
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
  const args = [
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
    '-payload_type',
    String(VP8_PT),
    '-ssrc',
    String(videoSsrc),
    '-f',
    'rtp',
    `rtp://${camera.ip}:${camera.port}?pkt_size=1200`,
    '-map',
    '1:a',
    '-c:a',
    'libopus',
    '-ac',
    '2',
    '-b:a',
    '48k',
    '-payload_type',
    String(OPUS_PT),
    '-ssrc',
    String(audioSsrc),
    '-f',
    'rtp',
    `rtp://${mic.ip}:${mic.port}?pkt_size=1200`,
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
