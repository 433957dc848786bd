import type { SfuCallType, SfuEvent, SfuParams, SfuResult } from '@preau/protocol';

type Call<T extends SfuCallType> = (params: SfuParams<T>) => Promise<SfuResult<T>>;

/**
 * What classroom-server asks of an SFU, in process or over the internal RPC.
 * Rooms are live sessions; peers are participants. Every peer-level call names
 * the room and the peer, and the SFU checks that the transport, producer or
 * consumer belongs to that peer. Errors are `PreauError`s: `not_found` (no such
 * room, peer or media), `bad_request` (parameters mediasoup refuses),
 * `conflict` (e.g. consuming what the peer cannot decode), `unavailable` (the
 * SFU or the room is closed).
 */
export interface SfuApi {
  /** Opens a room (a router on the least-loaded worker); concurrent calls for one id share one room. */
  createRoom: Call<'createRoom'>;
  /** Closes a room and everything in it; closing an unknown or closed room is a no-op. */
  closeRoom: Call<'closeRoom'>;
  /** The router's RTP capabilities, for the browser's `device.load()`. */
  routerRtpCapabilities: Call<'routerRtpCapabilities'>;
  /** The producers of a room, for a peer who joins after they started. */
  listProducers: Call<'listProducers'>;
  /** A WebRTC transport on its worker's WebRtcServer (one UDP and one TCP port per worker); the peer is created on first use. */
  createWebRtcTransport: Call<'createWebRtcTransport'>;
  /** A plain RTP transport (no ICE/DTLS): `send` learns the sender's address from its first packet; `recv` needs connectPlainTransport. */
  createPlainTransport: Call<'createPlainTransport'>;
  /** Completes the DTLS handshake parameters of a WebRTC transport. */
  connectTransport: Call<'connectTransport'>;
  /** Tells a plain `recv` transport where to send RTP. */
  connectPlainTransport: Call<'connectPlainTransport'>;
  /** New ICE credentials after the peer's network changed (reconnect without new transports). */
  restartIce: Call<'restartIce'>;
  /** Caps what a send transport accepts, in bits per second. */
  setMaxIncomingBitrate: Call<'setMaxIncomingBitrate'>;
  /** Starts receiving one track; cameras may send up to three simulcast VP8 layers. */
  produce: Call<'produce'>;
  /** Stops forwarding a producer at the SFU (teacher mute, camera stopped); idempotent. */
  pauseProducer: Call<'pauseProducer'>;
  /** Forwards a paused producer again; idempotent. */
  resumeProducer: Call<'resumeProducer'>;
  /** Closes a producer and its consumers; unknown ids are a no-op. */
  closeProducer: Call<'closeProducer'>;
  /** A consumer of another peer's producer, created paused: resume it once the browser is ready. */
  consume: Call<'consume'>;
  /** Stops sending one consumer to its viewer (a tile scrolled out of view). */
  pauseConsumer: Call<'pauseConsumer'>;
  /** Starts (again) sending one consumer to its viewer. */
  resumeConsumer: Call<'resumeConsumer'>;
  /** Closes one consumer; unknown ids are a no-op. */
  closeConsumer: Call<'closeConsumer'>;
  /** Asks the producer of a video consumer for a keyframe (a recorder starting to decode). */
  requestKeyFrame: Call<'requestKeyFrame'>;
  /** The highest simulcast layers a viewer wants (by tile size); bandwidth may lower them. */
  setPreferredLayers: Call<'setPreferredLayers'>;
  /** A consumer's share of the viewer's bandwidth (1–255; the active speaker higher). */
  setConsumerPriority: Call<'setConsumerPriority'>;
  /** Closes a peer's transports, producers and consumers, and others' consumers of its producers. */
  closePeer: Call<'closePeer'>;
  /** Counters of what a producer received. */
  producerStats: Call<'producerStats'>;
  /** Counters of what a consumer sent to its viewer. */
  consumerStats: Call<'consumerStats'>;
  /** One end of a pipe to the same room on another SFU process (on the room's first router). */
  createPipeTransport: Call<'createPipeTransport'>;
  /** Tells a pipe transport where its other end listens. */
  connectPipeTransport: Call<'connectPipeTransport'>;
  /** Sends a producer of this room down a pipe; the other end calls pipeProduce with the answer. */
  pipeConsume: Call<'pipeConsume'>;
  /** Receives a producer of another SFU process from a pipe, under the same id, for local viewers. */
  pipeProduce: Call<'pipeProduce'>;
  /** Workers, their rooms and load. */
  load(params?: SfuParams<'load'>): Promise<SfuResult<'load'>>;
  /** Receives every event of every room; returns the unsubscribe function. */
  subscribe(listener: (event: SfuEvent) => void): () => void;
  /** In process: closes every room and worker. Remote client: closes the connection only. Idempotent. */
  close(): Promise<void>;
}

/** Names of the calls that go over the RPC (everything but subscribe and close). */
export type SfuApiCalls = Pick<SfuApi, SfuCallType>;
