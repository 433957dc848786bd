// ffmpeg (Debian's package) as the recorder's encoder: one process per
// segment reads the RTP described by an SDP file and writes one WebM file
// (the forwarded VP8 picture as it is, Opus audio of every microphone
// mixed), so that segments join without re-encoding.
import { type ChildProcess, spawn } from 'node:child_process';

/** The picture drawn when nobody sends one (small: it is black). */
export const BLACK = { size: '640x360', fps: 5 } as const;
/** When ffmpeg is interrupted if it did not stop on "q". */
const INTERRUPT_AFTER_MS = 2_000;
/** How long ffmpeg may take to finish its file once asked to stop. */
const STOP_TIMEOUT_MS = 8_000;
/** How much of ffmpeg's error output is kept to explain a failure. */
const STDERR_TAIL = 4_000;

/** What a segment records: how many audio streams and whether a video one is in the SDP. */
export interface SegmentLayout {
  audio: number;
  video: boolean;
}

/**
 * ffmpeg's arguments for one segment. The picture is written as the SFU
 * forwards it (VP8, no re-encoding: a recording costs little CPU and keeps
 * the sender's quality); the microphones are decoded, mixed and encoded
 * once. Black or silence stands in where nothing is sent, so that every
 * segment has one video and one audio stream.
 */
export function segmentArgs(sdpPath: string, outPath: string, layout: SegmentLayout): string[] {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-protocol_whitelist',
    'file,udp,rtp',
    // Long enough to see a first keyframe on a busy machine.
    '-analyzeduration',
    '8000000',
    '-reorder_queue_size',
    '64',
    '-f',
    'sdp',
    '-i',
    sdpPath,
  ];
  let next = 1;
  let blackInput = -1;
  let silenceInput = -1;
  if (!layout.video) {
    blackInput = next++;
    args.push('-re', '-f', 'lavfi', '-i', `color=c=black:s=${BLACK.size}:r=${BLACK.fps}`);
  }
  if (layout.audio === 0) {
    silenceInput = next++;
    args.push('-re', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo');
  }
  if (layout.audio === 0) args.push('-map', `${silenceInput}:a:0`);
  else {
    const inputs = Array.from({ length: layout.audio }, (_, i) => `[0:a:${i}]`).join('');
    // Voices are added, not averaged: one speaker at a time stays at full level.
    args.push(
      '-filter_complex',
      `${inputs}amix=inputs=${layout.audio}:duration=longest:normalize=0[a]`,
      '-map',
      '[a]',
    );
  }
  if (layout.video) args.push('-map', '0:v:0', '-c:v', 'copy');
  else
    args.push(
      '-map',
      `${blackInput}:v:0`,
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '50k',
    );
  args.push(
    '-c:a',
    'libopus',
    '-b:a',
    '64k',
    '-ar',
    '48000',
    '-ac',
    '2',
    // Each packet reaches the file as it is muxed, not in 256 kB writes: the
    // folder shows what was recorded so far (ten seconds of a class otherwise).
    '-flush_packets',
    '1',
    // No input bounds the run: the segment lasts until the recorder stops it.
    '-f',
    'webm',
    '-y',
    outPath,
  );
  return args;
}

/** A running ffmpeg: stopped by asking it to finish its file ("q"), killed if it will not. */
export class FfmpegProcess {
  readonly #child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderr = '';
  #stopping = false;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => {
        this.#stderr += `\n${err.message}`;
        resolve({ code: -1, signal: null });
      });
    });
  }

  /** Starts ffmpeg (`bin`, default `ffmpeg` on the PATH) with `args`. */
  static spawn(args: string[], bin = 'ffmpeg'): FfmpegProcess {
    return new FfmpegProcess(spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'] }));
  }

  /** The operating system's id of the process (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** True once stop() was called: an exit after that is expected. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** The last lines ffmpeg wrote on its error output. */
  get errors(): string {
    return this.#stderr.trim();
  }

  /** Asks ffmpeg to finish the file and waits for it; kills it past the timeout. Idempotent. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.#stopping) {
      this.#stopping = true;
      if (this.#child.exitCode === null && this.#child.signalCode === null) {
        this.#child.stdin?.end('q');
        // Still probing its input, ffmpeg does not read "q" yet; SIGINT also finishes the file.
        const interrupt = setTimeout(() => this.#child.kill('SIGINT'), INTERRUPT_AFTER_MS);
        const kill = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        void this.exited.then(() => {
          clearTimeout(interrupt);
          clearTimeout(kill);
        });
      }
    }
    return this.exited;
  }
}

/** Runs ffmpeg or ffprobe to completion; rejects with its error output when it fails. */
export function runTool(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${bin} exited ${code}: ${err.trim()}`)),
    );
  });
}

/** Duration of a media file in milliseconds, as ffprobe reads it. */
export async function probeDurationMs(path: string, ffprobe = 'ffprobe'): Promise<number> {
  const out = await runTool(ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'default=noprint_wrappers=1:nokey=1',
    path,
  ]);
  const seconds = Number.parseFloat(out.trim());
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0;
}
