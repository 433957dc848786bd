// Synthetic RTP for tests and benchmarks: senders that answer keyframe
// requests like a browser does, and receivers that count packets and gaps.
// Loopback only; no real codec, just well-formed packets.
import { createSocket, type Socket } from 'node:dgram';
import type { RtpCapabilities, RtpParameters } from '@preau/protocol';

/** The RTP header extension id used for the audio level (RFC 6464). */
export const AUDIO_LEVEL_EXT_ID = 1;
const OPUS_PT = 100;
const VP8_PT = 101;
/** Frames a late sender may send at once to catch up; older ones are dropped. */
const MAX_CATCH_UP_FRAMES = 3;
/** mediasoup's bandwidth probes (padding) use this SSRC; they are not media. */
const PROBATION_SSRC = 1234;
/** Receive buffer asked for (the kernel caps it at net.core.rmem_max). */
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** RTP parameters of a synthetic opus microphone with audio levels. */
export function opusParameters(ssrc: number): RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc }],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: AUDIO_LEVEL_EXT_ID },
    ],
    rtcp: { cname: `synthetic-${ssrc}` },
  };
}

/** RTP parameters of a synthetic VP8 camera, one encoding per SSRC (three = simulcast). */
export function vp8Parameters(ssrcs: number[]): RtpParameters {
  return {
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: VP8_PT,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
    ],
    encodings: ssrcs.map((ssrc) => ({ ssrc })),
    rtcp: { cname: `synthetic-${ssrcs[0]}` },
  };
}

/**
 * What a plain-RTP viewer can receive: the router's codecs without bandwidth
 * estimation feedback (transport-cc, REMB), which a synthetic receiver never
 * sends; with it, mediasoup would probe the link with padding packets.
 */
export function plainReceiverCapabilities(routerCaps: RtpCapabilities): RtpCapabilities {
  const bwe = /transport-wide-cc|abs-send-time/;
  return {
    ...routerCaps,
    codecs: routerCaps.codecs?.map((c) => ({
      ...c,
      rtcpFeedback: c.rtcpFeedback?.filter(
        (f) => f.type !== 'transport-cc' && f.type !== 'goog-remb',
      ),
    })),
    headerExtensions: routerCaps.headerExtensions?.filter((h) => !bwe.test(h.uri)),
  };
}

interface PacketFields {
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Buffer;
  /** One-byte header extensions (RFC 8285), id 1–14, 1–16 bytes each. */
  extensions?: Array<{ id: number; data: Buffer }>;
}

/** Serialises one RTP packet. */
export function rtpPacket(f: PacketFields): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80 | (f.extensions?.length ? 0x10 : 0);
  header[1] = (f.marker ? 0x80 : 0) | f.payloadType;
  header.writeUInt16BE(f.seq & 0xffff, 2);
  header.writeUInt32BE(f.timestamp >>> 0, 4);
  header.writeUInt32BE(f.ssrc >>> 0, 8);
  if (!f.extensions?.length) return Buffer.concat([header, f.payload]);
  const items = Buffer.concat(
    f.extensions.map((e) =>
      Buffer.concat([Buffer.from([(e.id << 4) | (e.data.length - 1)]), e.data]),
    ),
  );
  const words = Math.ceil(items.length / 4);
  const ext = Buffer.alloc(4 + words * 4);
  ext.writeUInt16BE(0xbede, 0);
  ext.writeUInt16BE(words, 2);
  items.copy(ext, 4);
  return Buffer.concat([header, ext, f.payload]);
}

/** An RTCP sender report mapping `rtpTimestamp` to the wall-clock time `atMs` (ms since 1970). */
export function senderReport(f: {
  ssrc: number;
  atMs: number;
  rtpTimestamp: number;
  packets: number;
  octets: number;
}): Buffer {
  const sr = Buffer.alloc(28);
  sr[0] = 0x80;
  sr[1] = 200;
  sr.writeUInt16BE(6, 2);
  sr.writeUInt32BE(f.ssrc >>> 0, 4);
  const ntpSeconds = f.atMs / 1000 + 2_208_988_800;
  const whole = Math.floor(ntpSeconds);
  sr.writeUInt32BE(whole >>> 0, 8);
  sr.writeUInt32BE(Math.floor((ntpSeconds - whole) * 0x1_0000_0000) >>> 0, 12);
  sr.writeUInt32BE(f.rtpTimestamp >>> 0, 16);
  sr.writeUInt32BE(f.packets >>> 0, 20);
  sr.writeUInt32BE(f.octets >>> 0, 24);
  return sr;
}

/**
 * The audio level (-dBov) of a synthetic voice at packet `n` of 20 ms:
 * talk spurts around `level` with short pauses, because the active-speaker
 * detector treats a constant level as background noise.
 */
export function speechLevel(level: number, n: number): number {
  if (level >= 127) return 127;
  return n % 50 < 40 ? level + (n % 7) : 100;
}

/** True when an RTCP compound packet asks for a keyframe (PLI or FIR). */
export function asksKeyframe(packet: Buffer): boolean {
  let offset = 0;
  while (offset + 4 <= packet.length) {
    const fmt = packet[offset]! & 0x1f;
    const pt = packet[offset + 1]!;
    if (pt === 206 && (fmt === 1 || fmt === 4)) return true;
    offset += (packet.readUInt16BE(offset + 2) + 1) * 4;
  }
  return false;
}

function isRtcp(packet: Buffer): boolean {
  const pt = packet[1]! & 0x7f;
  return packet.length >= 8 && pt >= 64 && pt <= 95;
}

/** One stream a sender sends: an opus mic or one VP8 layer. */
export interface SyntheticStream {
  kind: 'audio' | 'video';
  ssrc: number;
  /** Packets per second (opus: 50; a VP8 layer: e.g. 30 frames × packets per frame). */
  packetsPerSecond: number;
  /** Payload bytes per packet. */
  payloadBytes: number;
  /** Audio level in -dBov (0 loudest, 127 silence), for active-speaker detection. */
  audioLevel?: number;
}

/**
 * Sends synthetic RTP from one UDP socket to a plain transport (comedia: the
 * SFU learns this socket's address from the first packet). Video streams send
 * a keyframe at start, every `keyframeIntervalMs`, and whenever the SFU asks.
 */
export class RtpSender {
  readonly #socket: Socket;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #keyframeWanted = new Set<number>();
  readonly #videoSsrcs: number[] = [];
  #sent = 0;
  #closed = false;

  private constructor(
    socket: Socket,
    private readonly target: { ip: string; port: number },
  ) {
    this.#socket = socket;
    socket.on('message', (msg) => {
      if (isRtcp(msg) && asksKeyframe(msg))
        for (const s of this.#videoSsrcs) this.#keyframeWanted.add(s);
    });
  }

  /** Opens the socket on loopback. */
  static async open(target: { ip: string; port: number }): Promise<RtpSender> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RtpSender(socket, target);
  }

  /** Packets sent so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Starts sending `stream` until close(). */
  start(stream: SyntheticStream, keyframeIntervalMs = 2000): void {
    const clockRate = stream.kind === 'audio' ? 48000 : 90000;
    const tickMs = stream.kind === 'audio' ? 20 : 1000 / 30;
    const perTick = Math.max(1, Math.round((stream.packetsPerSecond * tickMs) / 1000));
    let seq = Math.floor(Math.random() * 0xffff);
    let timestamp = Math.floor(Math.random() * 0xffffffff);
    const firstTimestamp = timestamp;
    let lastKeyframe = Number.NEGATIVE_INFINITY;
    let lastReport = Number.NEGATIVE_INFINITY;
    let packets = 0;
    let octets = 0;
    if (stream.kind === 'video') {
      this.#videoSsrcs.push(stream.ssrc);
      this.#keyframeWanted.add(stream.ssrc);
    }
    const body = Buffer.alloc(stream.payloadBytes, 0x42);
    const started = performance.now();
    const startedAtMs = performance.timeOrigin + started;
    let ticks = 0;
    // Catch up on slightly late timers so the rate holds on a loaded machine,
    // but drop frames rather than burst after a long stall, as an encoder would.
    const tick = () => {
      const due = Math.floor((performance.now() - started) / tickMs) + 1;
      if (due - ticks > MAX_CATCH_UP_FRAMES) ticks = due - MAX_CATCH_UP_FRAMES;
      for (; ticks < due; ticks++) {
        // Every stream maps its timestamps to the same clock, as simulcast layers must.
        timestamp = (firstTimestamp + Math.round((clockRate * ticks * tickMs) / 1000)) >>> 0;
        const now = performance.now();
        if (now - lastReport >= 500 && packets > 0) {
          lastReport = now;
          const atMs = startedAtMs + ticks * tickMs;
          const report = senderReport({
            ssrc: stream.ssrc,
            atMs,
            rtpTimestamp: timestamp,
            packets,
            octets,
          });
          this.#socket.send(report, this.target.port, this.target.ip);
        }
        let key = false;
        if (stream.kind === 'video') {
          key =
            this.#keyframeWanted.delete(stream.ssrc) || now - lastKeyframe >= keyframeIntervalMs;
          if (key) lastKeyframe = now;
        }
        for (let i = 0; i < perTick; i++) {
          const payload =
            stream.kind === 'audio'
              ? body
              : // VP8 descriptor: S bit on the frame's first packet; then P bit clear on keyframes.
                Buffer.concat([Buffer.from([i === 0 ? 0x10 : 0x00, key ? 0x00 : 0x01]), body]);
          const packet = rtpPacket({
            payloadType: stream.kind === 'audio' ? OPUS_PT : VP8_PT,
            seq: seq++,
            timestamp,
            ssrc: stream.ssrc,
            marker: i === perTick - 1,
            payload,
            extensions:
              stream.kind === 'audio'
                ? [
                    {
                      id: AUDIO_LEVEL_EXT_ID,
                      data: Buffer.from([0x80 | speechLevel(stream.audioLevel ?? 127, ticks)]),
                    },
                  ]
                : undefined,
          });
          this.#socket.send(packet, this.target.port, this.target.ip);
          this.#sent++;
          packets++;
          octets += payload.length;
        }
      }
    };
    tick();
    this.#timers.push(setInterval(tick, tickMs));
  }

  /** Stops every stream and closes the socket; idempotent. */
  close(): void {
    for (const t of this.#timers.splice(0)) clearInterval(t);
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}

/** What one receiver counted for one SSRC. */
export interface ReceivedCounts {
  packets: number;
  /** Packets missing from the sequence so far (gaps between first and highest). */
  lost: number;
  /** When the first packet arrived (performance.now()), or undefined. */
  firstAt: number | undefined;
}

/**
 * A UDP socket a plain `recv` transport sends to: counts RTP packets per SSRC
 * and the gaps in their sequence numbers (the SFU rewrites them contiguously).
 */
export class RtpReceiver {
  readonly #streams = new Map<
    number,
    { packets: number; base: number; highest: number; firstAt: number }
  >();
  #firstPacket: (() => void) | undefined;
  #closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('message', (msg) => {
      if (msg.length < 12 || isRtcp(msg)) return;
      const ssrc = msg.readUInt32BE(8);
      if (ssrc === PROBATION_SSRC) return;
      const seq = msg.readUInt16BE(2);
      const s = this.#streams.get(ssrc);
      if (!s) {
        this.#streams.set(ssrc, {
          packets: 1,
          base: seq,
          highest: seq,
          firstAt: performance.now(),
        });
        this.#firstPacket?.();
        return;
      }
      s.packets++;
      // Extend the 16-bit sequence number across wrap-arounds.
      const cycle = s.highest & ~0xffff;
      let ext = cycle | seq;
      if (ext < s.highest - 0x8000) ext += 0x10000;
      else if (ext > s.highest + 0x8000) ext -= 0x10000;
      if (ext > s.highest) s.highest = ext;
    });
  }

  /** Opens the socket on loopback, with a large buffer so bursts are not dropped here. */
  static async open(): Promise<RtpReceiver> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.setRecvBufferSize(RECV_BUFFER_BYTES);
    return new RtpReceiver(socket);
  }

  /** The local port to connect the plain transport to. */
  get port(): number {
    return this.socket.address().port;
  }

  /** Counts over every SSRC received. */
  get counts(): ReceivedCounts {
    let packets = 0;
    let lost = 0;
    let firstAt: number | undefined;
    for (const s of this.#streams.values()) {
      packets += s.packets;
      lost += Math.max(0, s.highest - s.base + 1 - s.packets);
      firstAt = firstAt === undefined ? s.firstAt : Math.min(firstAt, s.firstAt);
    }
    return { packets, lost, firstAt };
  }

  /** Resolves at the first RTP packet (at once if one came already). */
  firstPacket(): Promise<void> {
    if (this.#streams.size > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#firstPacket = resolve;
    });
  }

  /** Closes the socket; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.close();
  }
}
