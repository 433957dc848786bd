import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PreauError, type ProducerInfo } from '@preau/protocol';
import { background, type Logger } from '@preau/protocol/server';
import type { SfuApi } from '../SfuApi';
import { FfmpegProcess, probeDurationMs, runTool, segmentArgs } from './ffmpeg';
import { type RecordedStream, recorderCapabilities, recordingSdp } from './sdp';

/** At most this many microphones are mixed (the loudest speakers of a class are few). */
export const MAX_RECORDED_MICS = 12;
/** How often the recorder compares what it records with what the room sends. */
const POLL_MS = 2_000;
/** When keyframes are asked for after a segment starts (the first may be lost while ffmpeg opens). */
const KEYFRAME_ASKS_MS = [300, 1_200, 2_500];
/** Time ffmpeg gets to open its sockets before the SFU starts sending. */
const OPEN_DELAY_MS = 400;

/** What a recorder needs: the SFU, the room, where files go, who is preferred on screen. */
export interface RecorderOptions {
  sfu: SfuApi;
  roomId: string;
  /** A folder for the segments and the final file. */
  dir: string;
  log: Logger;
  /** The peer whose camera is shown when nobody shares a screen (the teacher). */
  preferPeerId?: string;
  /**
   * Whose media may be recorded now (everyone in the room unless told): a
   * session split into breakout rooms records its main room only. Asked at
   * every poll and at `refresh()`.
   */
  records?: (peerId: string) => boolean;
  /** Where ffmpeg receives RTP (the SFU sends there): loopback when both run on one machine. */
  ip?: string;
  ffmpeg?: string;
  ffprobe?: string;
  /** Called once if ffmpeg fails while recording (the recorder has stopped itself). */
  onFailure?: (err: PreauError) => void;
}

/** The finished recording: one WebM file on disk. */
export interface RecordingFile {
  path: string;
  durationMs: number;
  size: number;
  segments: number;
}

/** What a segment records: the mic producers and the video producer, if any. */
interface Selection {
  audio: ProducerInfo[];
  video: ProducerInfo | null;
}

interface Segment {
  peerId: string;
  file: string;
  ffmpeg: FfmpegProcess;
  selection: Selection;
  /** The recorder's consumer of each recorded producer, and whose producer it is. */
  consumers: Array<{ peerId: string; consumerId: string }>;
  videoConsumerId: string | null;
  timers: NodeJS.Timeout[];
}

/**
 * Records one SFU room into a WebM file, of the peers `records` allows:
 * every unmuted microphone mixed, and one picture (a screen share if there
 * is one, else the preferred peer's camera, else the active speaker's, else
 * any camera, else black). The SFU
 * sends each stream over its own PlainTransport (rtcp-mux, comedia off) to a
 * loopback port that ffmpeg reads through an SDP file. When the set of
 * streams changes (someone joins, mutes, stops sharing), the current
 * segment is closed and a new one started; stop() joins the segments.
 * The recorder never throws into the room: a failure stops it and is
 * reported through `onFailure`.
 */
export class RoomRecorder {
  readonly #o: RecorderOptions;
  readonly #id = randomBytes(6).toString('hex');
  readonly #files: string[] = [];
  #segment: Segment | null = null;
  #count = 0;
  #speaker: string | null = null;
  #poll: NodeJS.Timeout | null = null;
  #unsubscribe: () => void = () => {};
  #queue: Promise<unknown> = Promise.resolve();
  #state: 'recording' | 'stopping' | 'stopped' | 'failed' = 'recording';
  #failure: PreauError | null = null;

  private constructor(options: RecorderOptions) {
    this.#o = options;
  }

  /** Starts recording the room's current streams. */
  static async start(options: RecorderOptions): Promise<RoomRecorder> {
    const recorder = new RoomRecorder(options);
    await mkdir(options.dir, { recursive: true });
    recorder.#unsubscribe = options.sfu.subscribe((event) => {
      if (event.type === 'activeSpeaker' && event.roomId === options.roomId)
        recorder.#speaker = event.peerId;
    });
    try {
      await recorder.#openSegment(await recorder.#select(null));
    } catch (err) {
      recorder.#unsubscribe();
      throw asRecordingError(err);
    }
    recorder.#poll = setInterval(() => recorder.#tick(), POLL_MS);
    return recorder;
  }

  /** The ffmpeg process of the current segment (benchmarks measure it). */
  get ffmpegPid(): number | undefined {
    return this.#segment?.ffmpeg.pid;
  }

  /** What stopped the recorder by itself, if anything did (it may happen before start() resolves). */
  get failure(): PreauError | null {
    return this.#failure;
  }

  /** How many segments were opened so far (one more each time the streams changed). */
  get segments(): number {
    return this.#count;
  }

  /** Stops and joins the segments into one file; throws `unavailable` when nothing usable was written. */
  stop(): Promise<RecordingFile> {
    return this.#serial(async () => {
      if (this.#state === 'stopped') throw new PreauError('conflict', 'recording already stopped');
      this.#state = 'stopping';
      this.#halt();
      await this.#closeSegment();
      this.#state = 'stopped';
      return this.#join();
    });
  }

  /** Stops without keeping anything (the session is gone or the recording failed). */
  async discard(): Promise<void> {
    await this.#serial(async () => {
      this.#state = 'stopped';
      this.#halt();
      await this.#closeSegment();
    });
    await rm(this.#o.dir, { recursive: true, force: true });
  }

  #halt(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    this.#unsubscribe();
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Follows a change of whom it may record (the session's breakout rooms
   * changed) at once rather than at the next poll: the streams of peers no
   * longer allowed stop reaching the recording first, even while a segment
   * is being opened or closed; then the segments follow. Never rejects: a
   * failure stops the recorder.
   */
  async refresh(): Promise<void> {
    const records = this.#o.records;
    const segment = this.#segment;
    if (records && segment && this.#state === 'recording') {
      for (const { peerId, consumerId } of segment.consumers) {
        if (records(peerId)) continue;
        await this.#o.sfu
          .closeConsumer({ roomId: this.#o.roomId, peerId: segment.peerId, consumerId })
          .catch((err: unknown) => this.#o.log.debug({ err }, 'recorder consumer already closed'));
      }
    }
    await this.#reselect();
  }

  #tick(): void {
    background(this.#o.log, 'recorder tick', () => this.#reselect());
  }

  /** Compares what is recorded with what may be recorded now; a new segment when they differ. */
  #reselect(): Promise<void> {
    return this.#serial(async () => {
      if (this.#state !== 'recording') return;
      const current = this.#segment?.selection ?? null;
      const next = await this.#select(current);
      if (current && sameSelection(current, next)) return;
      this.#o.log.info(
        { audio: next.audio.length, video: next.video?.source ?? null },
        'recorded streams changed: new segment',
      );
      await this.#closeSegment();
      await this.#openSegment(next);
    }).catch((err: unknown) => this.#fail(err));
  }

  /** What to record now; the current picture is kept while it lasts unless a screen appears. */
  async #select(current: Selection | null): Promise<Selection> {
    const records = this.#o.records ?? (() => true);
    const producers = (await this.#o.sfu.listProducers({ roomId: this.#o.roomId })).filter(
      (p) => !p.paused && records(p.peerId),
    );
    const audio = producers
      .filter((p) => p.source === 'mic')
      .sort((a, b) => a.id.localeCompare(b.id))
      .slice(0, MAX_RECORDED_MICS);
    const screens = producers.filter((p) => p.source === 'screen');
    const cameras = producers.filter((p) => p.source === 'camera');
    const kept = current?.video && producers.find((p) => p.id === current.video?.id);
    const prefer = (list: ProducerInfo[], peer: string | null | undefined) =>
      list.find((p) => p.peerId === peer);
    let video: ProducerInfo | null = null;
    if (kept && (kept.source === 'screen' || screens.length === 0)) video = kept;
    else
      video =
        prefer(screens, this.#o.preferPeerId) ??
        screens[0] ??
        prefer(cameras, this.#o.preferPeerId) ??
        prefer(cameras, this.#speaker) ??
        cameras[0] ??
        null;
    return { audio, video };
  }

  async #openSegment(selection: Selection): Promise<void> {
    const { sfu, roomId } = this.#o;
    const ip = this.#o.ip ?? '127.0.0.1';
    const n = ++this.#count;
    const peerId = `rec_${this.#id}_${n}`;
    const caps = recorderCapabilities(await sfu.routerRtpCapabilities({ roomId }));
    const streams: RecordedStream[] = [];
    const consumers: Segment['consumers'] = [];
    let videoConsumerId: string | null = null;
    try {
      for (const producer of [...selection.audio, ...(selection.video ? [selection.video] : [])]) {
        const transport = await sfu.createPlainTransport({ roomId, peerId, direction: 'recv' });
        const port = await freePortPair(ip);
        await sfu.connectPlainTransport({ roomId, peerId, transportId: transport.id, ip, port });
        const consumer = await sfu.consume({
          roomId,
          peerId,
          transportId: transport.id,
          producerId: producer.id,
          rtpCapabilities: caps,
        });
        streams.push({ kind: producer.kind, port, consumer });
        consumers.push({ peerId: producer.peerId, consumerId: consumer.id });
        if (producer.kind === 'video') videoConsumerId = consumer.id;
      }
      const sdp = join(this.#o.dir, `segment-${n}.sdp`);
      const file = join(this.#o.dir, `segment-${n}.webm`);
      await writeFile(sdp, recordingSdp(ip, streams));
      const ffmpeg = FfmpegProcess.spawn(
        segmentArgs(sdp, file, { audio: selection.audio.length, video: !!selection.video }),
        this.#o.ffmpeg,
      );
      const segment: Segment = {
        peerId,
        file,
        ffmpeg,
        selection,
        consumers,
        videoConsumerId,
        timers: [],
      };
      this.#segment = segment;
      this.#files.push(file);
      void ffmpeg.exited.then(({ code }) => {
        if (ffmpeg.stopping || this.#segment !== segment) return;
        this.#fail(
          new PreauError(
            'unavailable',
            `ffmpeg stopped while recording (${code}): ${ffmpeg.errors}`,
          ),
        );
      });
      await delay(OPEN_DELAY_MS);
      // A change of rooms meanwhile (refresh) may have closed the consumers of
      // peers no longer recorded: those stay closed, the segment goes on. A
      // stream that ended meanwhile (its peer left, its producer closed) took
      // its consumer with it: not a failure of the recording; the segment
      // goes on with the others and the next poll starts one from what is
      // there then.
      const allowed = this.#o.records ?? (() => true);
      let lost = false;
      for (const c of consumers) {
        if (!allowed(c.peerId)) continue;
        await sfu.resumeConsumer({ roomId, peerId, consumerId: c.consumerId }).catch((err) => {
          if (!allowed(c.peerId)) return;
          if (err instanceof PreauError && err.code === 'not_found') {
            lost = true;
            return;
          }
          throw err;
        });
      }
      if (lost) {
        segment.selection = { audio: [], video: null };
        this.#o.log.info({ segment: n }, 'a recorded stream ended while its segment opened');
      }
      if (videoConsumerId) {
        const consumerId = videoConsumerId;
        for (const ms of KEYFRAME_ASKS_MS) {
          segment.timers.push(
            setTimeout(() => {
              sfu.requestKeyFrame({ roomId, peerId, consumerId }).catch((err: unknown) => {
                this.#o.log.debug({ err }, 'keyframe request failed (producer gone)');
              });
            }, ms),
          );
        }
      }
      this.#o.log.info(
        { segment: n, audio: selection.audio.length, video: selection.video?.source ?? null },
        'recording segment started',
      );
    } catch (err) {
      await sfu.closePeer({ roomId, peerId }).catch(() => undefined);
      throw err;
    }
  }

  async #closeSegment(): Promise<void> {
    const segment = this.#segment;
    if (!segment) return;
    this.#segment = null;
    for (const t of segment.timers) clearTimeout(t);
    const { code } = await segment.ffmpeg.stop();
    if ((code !== 0 && code !== 255) || segment.ffmpeg.errors) {
      this.#o.log.warn({ code, errors: segment.ffmpeg.errors }, 'recording segment ended badly');
    }
    await this.#o.sfu
      .closePeer({ roomId: this.#o.roomId, peerId: segment.peerId })
      .catch((err: unknown) => {
        // The room may be gone already (session ended): nothing left to close.
        this.#o.log.debug({ err }, 'recorder peer already closed');
      });
  }

  #fail(err: unknown): void {
    if (this.#state !== 'recording') return;
    this.#state = 'failed';
    const error = asRecordingError(err);
    this.#failure = error;
    this.#o.log.error({ err: error }, 'recording failed');
    this.#halt();
    this.#o.onFailure?.(error);
  }

  /** The segments that hold media, joined without re-encoding. */
  async #join(): Promise<RecordingFile> {
    const usable: string[] = [];
    for (const file of this.#files) {
      const size = await stat(file).then(
        (s) => s.size,
        () => 0,
      );
      const ms = size > 0 ? await probeDurationMs(file, this.#o.ffprobe).catch(() => 0) : 0;
      this.#o.log.debug({ file, size, ms }, 'recording segment written');
      if (ms > 0) usable.push(file);
    }
    if (usable.length === 0) throw new PreauError('unavailable', 'nothing was recorded');
    let path = usable[0]!;
    if (usable.length > 1) {
      const list = join(this.#o.dir, 'segments.txt');
      await writeFile(list, usable.map((f) => `file '${f.replaceAll("'", "'\\''")}'\n`).join(''));
      path = join(this.#o.dir, 'recording.webm');
      await runTool(this.#o.ffmpeg ?? 'ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'concat',
        '-safe',
        '0',
        '-i',
        list,
        '-c',
        'copy',
        '-y',
        path,
      ]);
    }
    const durationMs = await probeDurationMs(path, this.#o.ffprobe);
    const { size } = await stat(path);
    return { path, durationMs, size, segments: usable.length };
  }
}

function sameSelection(a: Selection, b: Selection): boolean {
  return (
    a.video?.id === b.video?.id &&
    a.audio.length === b.audio.length &&
    a.audio.every((p, i) => p.id === b.audio[i]?.id)
  );
}

function asRecordingError(err: unknown): PreauError {
  if (err instanceof PreauError) return err;
  return new PreauError('unavailable', `recording: ${err instanceof Error ? err.message : err}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An even UDP port whose next port is free too (ffmpeg opens both, RTP and RTCP). */
async function freePortPair(ip: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + 2 * Math.floor(Math.random() * 20_000);
    if ((await canBind(ip, port)) && (await canBind(ip, port + 1))) return port;
  }
  throw new PreauError('unavailable', 'no free port for the recorder');
}

function canBind(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, ip, () => socket.close(() => resolve(true)));
  });
}
