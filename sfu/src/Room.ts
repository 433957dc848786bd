import {
  type ConsumerInfo,
  type MediaKind,
  type MediaSource,
  PreauError,
  type ProducerInfo,
  type RtpCapabilities,
  type RtpParameters,
  type SfuCloseReason,
  type SfuEvent,
  type TransportDirection,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import type { types } from 'mediasoup';
import type { SfuOptions } from './config';
import { closedError, mediasoupCall, notFound } from './errors';
import { Peer, type ProducerData } from './Peer';
import type { WorkerSlot } from './WorkerPool';

/** Codecs of every router: opus for voice, VP8 (simulcast-capable) for cameras and screens. */
export const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 1000 },
  },
];

/** Bitrate a new WebRTC transport starts probing from (bps). */
const INITIAL_OUTGOING_BITRATE = 1_000_000;
/** What one peer may send: three camera layers plus a screen share (bps). */
const MAX_INCOMING_BITRATE = 4_000_000;
/** Which kind each source must be, and how many simulcast layers it may send. */
const SOURCES: Record<MediaSource, { kind: MediaKind; maxEncodings: number }> = {
  mic: { kind: 'audio', maxEncodings: 1 },
  camera: { kind: 'video', maxEncodings: 3 },
  screen: { kind: 'video', maxEncodings: 3 },
};

type Emit = (event: SfuEvent) => void;

/**
 * One live session on the SFU: a router on one worker, an active-speaker
 * observer, and the peers. Owns all of them; close() cascades.
 */
export class Room {
  readonly #peers = new Map<string, Peer>();
  #closing: SfuCloseReason | undefined;

  private constructor(
    readonly id: string,
    readonly slot: WorkerSlot,
    readonly router: types.Router,
    private readonly speaker: types.ActiveSpeakerObserver,
    private readonly options: SfuOptions,
    private readonly emit: Emit,
    private readonly log: Logger,
  ) {}

  /** Creates the router and its observer on `slot`'s worker. */
  static async create(
    id: string,
    slot: WorkerSlot,
    options: SfuOptions,
    emit: Emit,
    log: Logger,
  ): Promise<Room> {
    const router = await mediasoupCall('worker', () =>
      slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId: id } }),
    );
    try {
      const speaker = await router.createActiveSpeakerObserver({ interval: 300 });
      const room = new Room(id, slot, router, speaker, options, emit, log);
      speaker.on('dominantspeaker', ({ producer }) => {
        const { peerId } = producer.appData as ProducerData;
        emit({ type: 'activeSpeaker', roomId: id, peerId, producerId: producer.id });
      });
      return room;
    } catch (err) {
      router.close();
      throw err;
    }
  }

  /** True once close() ran (or the worker died). */
  get closed(): boolean {
    return this.#closing !== undefined || this.router.closed;
  }

  /** This room's weight on its worker: one per router plus each peer's media. */
  get load(): number {
    let load = 1;
    for (const peer of this.#peers.values()) load += peer.load;
    return load;
  }

  /** Closes every peer and the router; idempotent. The roomClosed event is the only one sent. */
  close(reason: SfuCloseReason): void {
    if (this.#closing) return;
    this.#closing = reason;
    for (const peer of this.#peers.values()) peer.close('roomClosed');
    this.#peers.clear();
    this.router.close();
    this.log.info({ reason }, 'room closed');
    this.emit({ type: 'roomClosed', roomId: this.id, reason });
  }

  /** A peer, created on first use when `create` is set. */
  peer(peerId: string, create = false): Peer {
    this.#assertOpen();
    let peer = this.#peers.get(peerId);
    if (!peer && create) {
      peer = new Peer(this.id, peerId);
      this.#peers.set(peerId, peer);
    }
    if (!peer) throw notFound('peer', peerId);
    return peer;
  }

  /** Closes one peer and its media; others' consumers of its producers close too. */
  closePeer(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    peer.close('peerClosed');
  }

  /** Every producer of the room. */
  listProducers(): ProducerInfo[] {
    this.#assertOpen();
    const list: ProducerInfo[] = [];
    for (const peer of this.#peers.values()) {
      for (const p of peer.producers.values()) {
        list.push({
          id: p.id,
          peerId: peer.id,
          kind: p.kind,
          source: p.appData.source,
          paused: p.paused,
        });
      }
    }
    return list;
  }

  /** A producer of any peer of the room, or `not_found`. */
  producer(producerId: string): types.Producer<ProducerData> {
    this.#assertOpen();
    for (const peer of this.#peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer) return producer;
    }
    throw notFound('producer', producerId);
  }

  /** A WebRTC transport on the worker's WebRtcServer. */
  async createWebRtcTransport(peerId: string, direction: TransportDirection) {
    const peer = this.peer(peerId, true);
    const transport = await mediasoupCall('router', () =>
      this.router.createWebRtcTransport({
        webRtcServer: this.slot.webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
        appData: { peerId, direction },
      }),
    );
    if (peer.closed || this.closed) {
      transport.close();
      throw closedError(`peer ${peerId}`);
    }
    if (direction === 'send') await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    peer.addTransport({ transport, direction, plain: false });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /** A plain RTP transport: `send` learns its sender's address from the first packet (comedia). */
  async createPlainTransport(peerId: string, direction: TransportDirection) {
    const peer = this.peer(peerId, true);
    const transport = await mediasoupCall('router', () =>
      this.router.createPlainTransport({
        listenInfo: {
          protocol: 'udp',
          ip: this.options.listenIp,
          announcedAddress: this.options.announcedAddress,
        },
        rtcpMux: true,
        comedia: direction === 'send',
        appData: { peerId, direction },
      }),
    );
    if (peer.closed || this.closed) {
      transport.close();
      throw closedError(`peer ${peerId}`);
    }
    peer.addTransport({ transport, direction, plain: true });
    return { id: transport.id, ip: transport.tuple.localAddress, port: transport.tuple.localPort };
  }

  /** Starts receiving one track from a peer's send transport. */
  async produce(
    peerId: string,
    p: {
      transportId: string;
      kind: MediaKind;
      rtpParameters: RtpParameters;
      source: MediaSource;
      paused?: boolean;
    },
  ): Promise<string> {
    const peer = this.peer(peerId);
    const { transport } = peer.transport(p.transportId, 'send');
    const rule = SOURCES[p.source];
    if (rule.kind !== p.kind) {
      throw new PreauError('bad_request', `a ${p.source} producer must be ${rule.kind}`);
    }
    if ((p.rtpParameters.encodings?.length ?? 1) > rule.maxEncodings) {
      throw new PreauError(
        'bad_request',
        `a ${p.source} sends at most ${rule.maxEncodings} layers`,
      );
    }
    const appData: ProducerData = { peerId, source: p.source };
    const producer = await mediasoupCall('produce', () =>
      transport.produce<ProducerData>({
        kind: p.kind,
        rtpParameters: p.rtpParameters as types.RtpParameters,
        paused: p.paused ?? false,
        appData,
      }),
    );
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      if (this.#closing) return;
      const reason = peer.closing ?? (transport.closed ? 'transportClosed' : 'closed');
      this.emit({
        type: 'producerClosed',
        roomId: this.id,
        peerId,
        producerId: producer.id,
        reason,
      });
    });
    for (const event of ['pause', 'resume'] as const) {
      producer.observer.on(event, () =>
        this.emit({
          type: 'producerPaused',
          roomId: this.id,
          peerId,
          producerId: producer.id,
          paused: event === 'pause',
        }),
      );
    }
    if (p.source === 'mic') {
      await mediasoupCall('speaker', () => this.speaker.addProducer({ producerId: producer.id }));
    }
    return producer.id;
  }

  /** A paused consumer of `producerId` on the viewer's receive transport. */
  async consume(
    peerId: string,
    p: { transportId: string; producerId: string; rtpCapabilities: RtpCapabilities },
  ): Promise<ConsumerInfo> {
    const peer = this.peer(peerId);
    const { transport } = peer.transport(p.transportId, 'recv');
    const producer = this.producer(p.producerId);
    const caps = p.rtpCapabilities as types.RtpCapabilities;
    if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) {
      throw new PreauError('conflict', 'the viewer cannot decode this producer');
    }
    const consumer = await mediasoupCall('consume', () =>
      transport.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true }),
    );
    peer.consumers.set(consumer.id, consumer);
    const closedBy = (reason: SfuCloseReason) => () => {
      if (this.#closing) return;
      this.emit({
        type: 'consumerClosed',
        roomId: this.id,
        peerId,
        consumerId: consumer.id,
        producerId: producer.id,
        reason: peer.closing ?? reason,
      });
    };
    consumer.on('producerclose', closedBy('producerClosed'));
    consumer.on('transportclose', closedBy('transportClosed'));
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('layerschange', (layers) =>
      this.emit({
        type: 'consumerLayersChanged',
        roomId: this.id,
        peerId,
        consumerId: consumer.id,
        layers: layers ?? null,
      }),
    );
    return {
      id: consumer.id,
      producerId: producer.id,
      producerPeerId: producer.appData.peerId,
      kind: consumer.kind,
      source: producer.appData.source,
      rtpParameters: consumer.rtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    };
  }

  /** Closes one consumer on request, reporting it. */
  closeConsumer(peerId: string, consumerId: string): void {
    const consumer = this.peer(peerId).consumers.get(consumerId);
    if (!consumer) return;
    consumer.close();
    this.emit({
      type: 'consumerClosed',
      roomId: this.id,
      peerId,
      consumerId,
      producerId: consumer.producerId,
      reason: 'closed',
    });
  }

  #assertOpen(): void {
    if (this.closed) throw closedError(`room ${this.id}`);
  }
}
