// Wire schemas of the SFU's internal RPC (classroom-server ↔ sfu).
// Media parameters mirror mediasoup's types; unknown fields pass through
// because mediasoup (and the browser's mediasoup-client) validate them again.
import { z } from 'zod';
import { resultSchema } from './errors';
import { Id } from './ids';

/** Version of the SFU RPC; the server announces it and the client refuses another. */
export const SFU_RPC_VERSION = 2 as const;

/** The header that authenticates an RPC connection: `<unix ms>.<hex HMAC-SHA256(secret, unix ms)>`. */
export const SFU_AUTH_HEADER = 'x-preau-sfu-auth';

/** Largest RPC message accepted, in bytes (SDP-sized parameters fit well below). */
export const SFU_MAX_MESSAGE_BYTES = 256 * 1024;

/** What a producer carries; cameras send three simulcast layers, screens one. */
export const MediaSource = z.enum(['mic', 'camera', 'screen']);
export type MediaSource = z.infer<typeof MediaSource>;

/** Audio or video. */
export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;

/** A transport sends media to the SFU or receives media from it. */
export const TransportDirection = z.enum(['send', 'recv']);
export type TransportDirection = z.infer<typeof TransportDirection>;

const Params = z.record(z.string(), z.unknown());
const RtcpFeedback = z.looseObject({
  type: z.string().max(64),
  parameter: z.string().max(64).optional(),
});

/** One codec a peer or router can handle (mediasoup `RtpCodecCapability`). */
export const RtpCodecCapability = z.looseObject({
  kind: MediaKind,
  mimeType: z.string().max(64),
  preferredPayloadType: z.number().int().min(0).max(127).optional(),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().optional(),
  parameters: Params.optional(),
  rtcpFeedback: z.array(RtcpFeedback).max(32).optional(),
});

/** What a peer can receive (mediasoup `RtpCapabilities`). */
export const RtpCapabilities = z.looseObject({
  codecs: z.array(RtpCodecCapability).max(64).optional(),
  headerExtensions: z
    .array(
      z.looseObject({ kind: MediaKind, uri: z.string().max(256), preferredId: z.number().int() }),
    )
    .max(64)
    .optional(),
});
export type RtpCapabilities = z.infer<typeof RtpCapabilities>;

/** One simulcast layer or the single stream (mediasoup `RtpEncodingParameters`). */
export const RtpEncoding = z.looseObject({
  ssrc: z.number().int().nonnegative().optional(),
  rid: z.string().max(32).optional(),
  codecPayloadType: z.number().int().optional(),
  rtx: z.object({ ssrc: z.number().int().nonnegative() }).optional(),
  dtx: z.boolean().optional(),
  scalabilityMode: z.string().max(16).optional(),
  maxBitrate: z.number().nonnegative().optional(),
});

/** How a stream is sent (mediasoup `RtpParameters`). */
export const RtpParameters = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z
    .array(
      z.looseObject({
        mimeType: z.string().max(64),
        payloadType: z.number().int().min(0).max(127),
        clockRate: z.number().int().positive(),
        channels: z.number().int().positive().optional(),
        parameters: Params.optional(),
        rtcpFeedback: z.array(RtcpFeedback).max(32).optional(),
      }),
    )
    .min(1)
    .max(16),
  headerExtensions: z
    .array(
      z.looseObject({
        uri: z.string().max(256),
        id: z.number().int(),
        encrypt: z.boolean().optional(),
      }),
    )
    .max(32)
    .optional(),
  encodings: z.array(RtpEncoding).max(8).optional(),
  rtcp: z
    .looseObject({ cname: z.string().max(256).optional(), reducedSize: z.boolean().optional() })
    .optional(),
  msid: z.string().max(256).optional(),
});
export type RtpParameters = z.infer<typeof RtpParameters>;

/** ICE credentials of a WebRTC transport. */
export const IceParameters = z.looseObject({
  usernameFragment: z.string().max(256),
  password: z.string().max(256),
  iceLite: z.boolean().optional(),
});
export type IceParameters = z.infer<typeof IceParameters>;

/** One address the browser may reach the SFU at. */
export const IceCandidate = z.looseObject({
  foundation: z.string(),
  priority: z.number(),
  ip: z.string(),
  address: z.string(),
  protocol: z.enum(['udp', 'tcp']),
  port: z.number().int(),
  type: z.string(),
  tcpType: z.string().optional(),
});
export type IceCandidate = z.infer<typeof IceCandidate>;

/** DTLS role and certificate fingerprints. */
export const DtlsParameters = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(
      z.object({
        algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
        value: z.string().max(256),
      }),
    )
    .min(1)
    .max(8),
});
export type DtlsParameters = z.infer<typeof DtlsParameters>;

/** What a browser needs to open a WebRTC transport (mediasoup-client `TransportOptions`). */
export const WebRtcTransportInfo = z.object({
  id: Id,
  iceParameters: IceParameters,
  iceCandidates: z.array(IceCandidate),
  dtlsParameters: DtlsParameters,
});
export type WebRtcTransportInfo = z.infer<typeof WebRtcTransportInfo>;

/** A plain RTP transport (no ICE/DTLS), for servers, tests and benchmarks. */
export const PlainTransportInfo = z.object({ id: Id, ip: z.string(), port: z.number().int() });
export type PlainTransportInfo = z.infer<typeof PlainTransportInfo>;

/** A spatial and temporal layer pair (0 = lowest). */
export const Layers = z.object({
  spatialLayer: z.number().int().min(0).max(2),
  temporalLayer: z.number().int().min(0).max(2).optional(),
});
export type Layers = z.infer<typeof Layers>;

/**
 * The simulcast layers worth sending to a tile of `height` device pixels:
 * cameras send 180p, 360p and 720p; anything larger than a layer's height
 * needs the next one. mediasoup lowers the layer further when bandwidth is short.
 */
export function layersForTile(height: number): Layers {
  if (height <= 200) return { spatialLayer: 0, temporalLayer: 2 };
  if (height <= 400) return { spatialLayer: 1, temporalLayer: 2 };
  return { spatialLayer: 2, temporalLayer: 2 };
}

/** What a viewer needs to receive one producer (mediasoup-client `ConsumerOptions`). */
export const ConsumerInfo = z.object({
  id: Id,
  producerId: Id,
  /** The peer whose producer this is. */
  producerPeerId: Id,
  kind: MediaKind,
  source: MediaSource,
  rtpParameters: RtpParameters,
  /** Simulcast or SVC; mediasoup then picks layers by bandwidth. */
  type: z.enum(['simple', 'simulcast', 'svc', 'pipe']),
  /** Paused because the producer is paused (the consumer itself starts paused too). */
  producerPaused: z.boolean(),
});
export type ConsumerInfo = z.infer<typeof ConsumerInfo>;

/** A producer of a room, as listed for peers who join later. */
export const ProducerInfo = z.object({
  id: Id,
  peerId: Id,
  kind: MediaKind,
  source: MediaSource,
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof ProducerInfo>;

/** Counters of one producer or consumer (sums over its RTP streams). */
export const MediaStats = z.object({
  packets: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  packetsLost: z.number().int(),
  bitrate: z.number().nonnegative(),
  /** mediasoup's 0–10 quality score of the stream(s), lowest of all. */
  score: z.number().min(0).max(10),
});
export type MediaStats = z.infer<typeof MediaStats>;

/** Figures of the SFU process, for placement and health checks. */
export const SfuLoad = z.object({
  workers: z.array(
    z.object({
      pid: z.number().int(),
      rooms: z.number().int(),
      load: z.number().int(),
      udpPort: z.number().int(),
      tcpPort: z.number().int(),
    }),
  ),
});
export type SfuLoad = z.infer<typeof SfuLoad>;

/**
 * What an SFU process reports about itself every second (over each RPC
 * connection), for placing rooms on the least loaded node.
 */
export const SfuNodeLoad = z.object({
  rooms: z.number().int().nonnegative(),
  routers: z.number().int().nonnegative(),
  peers: z.number().int().nonnegative(),
  transports: z.number().int().nonnegative(),
  producers: z.number().int().nonnegative(),
  consumers: z.number().int().nonnegative(),
  workers: z.number().int().nonnegative(),
  /** CPU time of the mediasoup workers over the last interval, in cores (0–workers). */
  cpu: z.number().nonnegative(),
});
export type SfuNodeLoad = z.infer<typeof SfuNodeLoad>;

/** A pipe transport's end, for its peer on another SFU process to connect to. */
export const PipeTransportInfo = z.object({ id: Id, ip: z.string(), port: z.number().int() });
export type PipeTransportInfo = z.infer<typeof PipeTransportInfo>;

/** What one end of a pipe sends for one producer, for the other end to produce it again. */
export const PipeConsumerInfo = z.object({
  producerId: Id,
  peerId: Id,
  kind: MediaKind,
  source: MediaSource,
  rtpParameters: RtpParameters,
  paused: z.boolean(),
});
export type PipeConsumerInfo = z.infer<typeof PipeConsumerInfo>;

const room = { roomId: Id };
const peer = { roomId: Id, peerId: Id };

/** Every call of the SFU API with its parameters, keyed by `type`. */
export const SfuCall = z.discriminatedUnion('type', [
  z.object({ type: z.literal('createRoom'), ...room }),
  z.object({ type: z.literal('closeRoom'), ...room }),
  z.object({ type: z.literal('routerRtpCapabilities'), ...room }),
  z.object({ type: z.literal('listProducers'), ...room }),
  z.object({
    type: z.literal('createWebRtcTransport'),
    ...peer,
    direction: TransportDirection,
  }),
  z.object({ type: z.literal('createPlainTransport'), ...peer, direction: TransportDirection }),
  z.object({
    type: z.literal('connectTransport'),
    ...peer,
    transportId: Id,
    dtlsParameters: DtlsParameters,
  }),
  z.object({
    type: z.literal('connectPlainTransport'),
    ...peer,
    transportId: Id,
    ip: z.string().max(64),
    port: z.number().int().min(1).max(65535),
  }),
  z.object({ type: z.literal('restartIce'), ...peer, transportId: Id }),
  z.object({
    type: z.literal('setMaxIncomingBitrate'),
    ...peer,
    transportId: Id,
    bitrate: z.number().int().min(10_000).max(50_000_000),
  }),
  z.object({
    type: z.literal('produce'),
    ...peer,
    transportId: Id,
    kind: MediaKind,
    rtpParameters: RtpParameters,
    source: MediaSource,
    paused: z.boolean().optional(),
  }),
  z.object({ type: z.literal('pauseProducer'), ...room, producerId: Id }),
  z.object({ type: z.literal('resumeProducer'), ...room, producerId: Id }),
  z.object({ type: z.literal('closeProducer'), ...room, producerId: Id }),
  z.object({
    type: z.literal('consume'),
    ...peer,
    transportId: Id,
    producerId: Id,
    rtpCapabilities: RtpCapabilities,
  }),
  z.object({ type: z.literal('pauseConsumer'), ...peer, consumerId: Id }),
  z.object({ type: z.literal('resumeConsumer'), ...peer, consumerId: Id }),
  z.object({ type: z.literal('closeConsumer'), ...peer, consumerId: Id }),
  z.object({ type: z.literal('requestKeyFrame'), ...peer, consumerId: Id }),
  z.object({ type: z.literal('setPreferredLayers'), ...peer, consumerId: Id, ...Layers.shape }),
  z.object({
    type: z.literal('setConsumerPriority'),
    ...peer,
    consumerId: Id,
    priority: z.number().int().min(1).max(255),
  }),
  z.object({ type: z.literal('closePeer'), ...peer }),
  z.object({ type: z.literal('producerStats'), ...room, producerId: Id }),
  z.object({ type: z.literal('consumerStats'), ...peer, consumerId: Id }),
  z.object({ type: z.literal('load') }),
  /** One end of a pipe between this room and the same room on another SFU process. */
  z.object({ type: z.literal('createPipeTransport'), ...room }),
  z.object({
    type: z.literal('connectPipeTransport'),
    ...room,
    transportId: Id,
    ip: z.string().max(64),
    port: z.number().int().min(1).max(65535),
  }),
  /** Sends a producer of this room down a pipe (the other end calls pipeProduce). */
  z.object({ type: z.literal('pipeConsume'), ...room, transportId: Id, producerId: Id }),
  /** Receives a producer of another SFU process from a pipe, under the same id. */
  z.object({ type: z.literal('pipeProduce'), ...room, transportId: Id, ...PipeConsumerInfo.shape }),
]);
export type SfuCall = z.infer<typeof SfuCall>;
/** The name of one call. */
export type SfuCallType = SfuCall['type'];
/** The parameters of one call, without its `type`. */
export type SfuParams<T extends SfuCallType> = Omit<Extract<SfuCall, { type: T }>, 'type'>;

const Empty = z.object({});

/** What each call answers. */
export const SfuCallResult = {
  createRoom: Empty,
  closeRoom: Empty,
  routerRtpCapabilities: RtpCapabilities,
  listProducers: z.array(ProducerInfo),
  createWebRtcTransport: WebRtcTransportInfo,
  createPlainTransport: PlainTransportInfo,
  connectTransport: Empty,
  connectPlainTransport: Empty,
  restartIce: IceParameters,
  setMaxIncomingBitrate: Empty,
  produce: z.object({ producerId: Id }),
  pauseProducer: Empty,
  resumeProducer: Empty,
  closeProducer: Empty,
  consume: ConsumerInfo,
  pauseConsumer: Empty,
  resumeConsumer: Empty,
  closeConsumer: Empty,
  requestKeyFrame: Empty,
  setPreferredLayers: Empty,
  setConsumerPriority: Empty,
  closePeer: Empty,
  producerStats: MediaStats,
  consumerStats: MediaStats,
  load: SfuLoad,
  createPipeTransport: PipeTransportInfo,
  connectPipeTransport: Empty,
  pipeConsume: PipeConsumerInfo,
  pipeProduce: Empty,
} as const satisfies Record<SfuCallType, z.ZodType>;
/** The answer of one call. */
export type SfuResult<T extends SfuCallType> = z.infer<(typeof SfuCallResult)[T]>;

/** Why a producer, consumer or room went away. */
export const SfuCloseReason = z.enum([
  'closed',
  'peerClosed',
  'producerClosed',
  'transportClosed',
  'roomClosed',
  'workerDied',
]);
export type SfuCloseReason = z.infer<typeof SfuCloseReason>;

/** Events the SFU reports on its own, keyed by `type`. */
export const SfuEvent = z.discriminatedUnion('type', [
  /** The loudest microphone of a room changed. */
  z.object({ type: z.literal('activeSpeaker'), ...peer, producerId: Id }),
  /** A producer is gone (closed, its peer left, its room closed). */
  z.object({ type: z.literal('producerClosed'), ...peer, producerId: Id, reason: SfuCloseReason }),
  /** A producer was paused or resumed (a mute at the SFU). */
  z.object({ type: z.literal('producerPaused'), ...peer, producerId: Id, paused: z.boolean() }),
  /** A consumer is gone; `peerId` is the viewer. */
  z.object({
    type: z.literal('consumerClosed'),
    ...peer,
    consumerId: Id,
    producerId: Id,
    reason: SfuCloseReason,
  }),
  /** The layers a consumer actually receives changed (null: none, e.g. paused). */
  z.object({
    type: z.literal('consumerLayersChanged'),
    ...peer,
    consumerId: Id,
    layers: Layers.nullable(),
  }),
  /** A whole room is gone; its peers must rejoin (a new room) when the reason is `workerDied`. */
  z.object({ type: z.literal('roomClosed'), ...room, reason: SfuCloseReason }),
]);
export type SfuEvent = z.infer<typeof SfuEvent>;

/** A message from the RPC client: one call, correlated by `id`. */
export const SfuRequest = z.object({ id: z.number().int().nonnegative(), call: SfuCall });
export type SfuRequest = z.infer<typeof SfuRequest>;

/** A message from the RPC server, keyed by `type`. */
export const SfuServerMessage = z.discriminatedUnion('type', [
  /** First message on a connection. */
  z.object({ type: z.literal('hello'), version: z.number().int() }),
  /** The answer to request `id`; null when the request could not be read at all. */
  z.object({
    type: z.literal('response'),
    id: z.number().int().nonnegative().nullable(),
    result: resultSchema(z.unknown()),
  }),
  z.object({ type: z.literal('event'), event: SfuEvent }),
  /** The process's load, every second or so. */
  z.object({ type: z.literal('load'), load: SfuNodeLoad }),
]);
export type SfuServerMessage = z.infer<typeof SfuServerMessage>;
