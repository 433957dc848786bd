import {
  type ConsumerInfo,
  type MediaKind,
  type MediaSource,
  type PipeConsumerInfo,
  type PipeTransportInfo,
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
import { Peer, type ProducerData, type RoomRouter } from './Peer';
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

/** Finds a worker for one more router of a room: the least loaded one not in `used`, if any. */
export type PickSlot = (used: ReadonlySet<WorkerSlot>) => WorkerSlot | undefined;

/**
 * One live session on the SFU: a router on one worker (more routers on other
 * workers once it outgrows `peersPerRouter`, their producers piped with
 * `pipeToRouter`), an active-speaker observer, the peers, and the pipe
 * transports to the same room on other SFU processes. Owns all of them;
 * close() cascades.
 */
export class Room {
  readonly #peers = new Map<string, Peer>();
  /** The first router (capabilities, speaker observer, pipes to other processes) and the others. */
  readonly #routers: RoomRouter[];
  /** A router being added, shared by the peers who arrive meanwhile. */
  #growing: Promise<RoomRouter | undefined> | undefined;
  /** Producers piped to another router of this room: `${routerId}:${producerId}` → done. */
  readonly #piped = new Map<string, Promise<void>>();
  /** Pipe transports to the same room on other SFU processes. */
  readonly #pipeTransports = new Map<string, types.PipeTransport>();
  /** Producers received from other SFU processes through a pipe, under their own ids. */
  readonly #pipeProducers = new Map<string, types.Producer<ProducerData>>();
  #closing: SfuCloseReason | undefined;

  private constructor(
    readonly id: string,
    first: RoomRouter,
    private readonly speaker: types.ActiveSpeakerObserver,
    private readonly options: SfuOptions,
    private readonly pickSlot: PickSlot,
    private readonly emit: Emit,
    private readonly log: Logger,
  ) {
    this.#routers = [first];
  }

  /** Creates the first router and its observer on `slot`'s worker. */
  static async create(
    id: string,
    slot: WorkerSlot,
    options: SfuOptions,
    pickSlot: PickSlot,
    emit: Emit,
    log: Logger,
  ): Promise<Room> {
    const router = await mediasoupCall('worker', () =>
      slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId: id } }),
    );
    try {
      const speaker = await router.createActiveSpeakerObserver({ interval: 300 });
      const room = new Room(id, { slot, router, peers: 0 }, speaker, options, pickSlot, emit, log);
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

  /** The first router: its capabilities are the room's, its worker the room's home. */
  get router(): types.Router {
    return this.#routers[0]!.router;
  }

  /** The worker of the first router. */
  get slot(): WorkerSlot {
    return this.#routers[0]!.slot;
  }

  /** Every router of the room, first one first. */
  get routers(): readonly RoomRouter[] {
    return this.#routers;
  }

  /** True once close() ran (or a worker of the room died). */
  get closed(): boolean {
    return this.#closing !== undefined || this.#routers.some((r) => r.router.closed);
  }

  /** Whether a router of this room lives on `slot`. */
  uses(slot: WorkerSlot): boolean {
    return this.#routers.some((r) => r.slot === slot);
  }

  /** This room's weight on one worker: one per router there plus its peers' media and the pipes. */
  loadOn(slot: WorkerSlot): number {
    let load = 0;
    for (const r of this.#routers) if (r.slot === slot) load += 1;
    for (const peer of this.#peers.values()) if (peer.home.slot === slot) load += peer.load;
    if (this.slot === slot) load += this.#pipeTransports.size + this.#pipeProducers.size;
    return load;
  }

  /** This room's weight on all its workers. */
  get load(): number {
    return this.#routers.reduce((sum, r) => sum + this.loadOn(r.slot), 0);
  }

  /** Counts for the process's load report. */
  counts() {
    let transports = this.#pipeTransports.size;
    let producers = this.#pipeProducers.size;
    let consumers = 0;
    for (const peer of this.#peers.values()) {
      transports += peer.transports.size;
      producers += peer.producers.size;
      consumers += peer.consumers.size;
    }
    return {
      routers: this.#routers.length,
      peers: this.#peers.size,
      transports,
      producers,
      consumers,
    };
  }

  /** Closes every peer and the router; idempotent. The roomClosed event is the only one sent. */
  close(reason: SfuCloseReason): void {
    if (this.#closing) return;
    this.#closing = reason;
    for (const peer of this.#peers.values()) peer.close('roomClosed');
    this.#peers.clear();
    for (const r of this.#routers) r.router.close();
    this.log.info({ reason }, 'room closed');
    this.emit({ type: 'roomClosed', roomId: this.id, reason });
  }

  /** A peer of the room, or `not_found`. */
  peer(peerId: string): Peer {
    this.#assertOpen();
    const peer = this.#peers.get(peerId);
    if (!peer) throw notFound('peer', peerId);
    return peer;
  }

  /**
   * A peer, created on first use on a router with room for it: the first one
   * with fewer than `peersPerRouter` peers, else a new router on a worker the
   * room does not use yet, else the least crowded router.
   */
  async admit(peerId: string): Promise<Peer> {
    this.#assertOpen();
    const existing = this.#peers.get(peerId);
    if (existing) return existing;
    const home = await this.#homeForNewPeer();
    this.#assertOpen();
    const raced = this.#peers.get(peerId);
    if (raced) return raced;
    const peer = new Peer(this.id, peerId, home);
    home.peers += 1;
    this.#peers.set(peerId, peer);
    return peer;
  }

  async #homeForNewPeer(): Promise<RoomRouter> {
    const limit = this.options.peersPerRouter;
    const roomy = this.#routers.find((r) => r.peers < limit && !r.router.closed);
    if (roomy) return roomy;
    this.#growing ??= this.#addRouter().finally(() => {
      this.#growing = undefined;
    });
    const added = await this.#growing;
    if (added && added.peers < limit) return added;
    return this.#routers.reduce((best, r) => (r.peers < best.peers ? r : best));
  }

  /** One more router on a worker the room does not use yet (none left: undefined). */
  async #addRouter(): Promise<RoomRouter | undefined> {
    const slot = this.pickSlot(new Set(this.#routers.map((r) => r.slot)));
    if (!slot) return undefined;
    const router = await mediasoupCall('worker', () =>
      slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId: this.id } }),
    );
    if (this.closed) {
      router.close();
      throw closedError(`room ${this.id}`);
    }
    const added: RoomRouter = { slot, router, peers: 0 };
    this.#routers.push(added);
    // A worker that dies takes the whole room with it: its peers rebuild elsewhere.
    router.observer.once('close', () => this.close(slot.worker.died ? 'workerDied' : 'closed'));
    this.log.info({ worker: slot.index, routers: this.#routers.length }, 'room spread to a worker');
    return added;
  }

  /** Closes one peer and its media; others' consumers of its producers close too. */
  closePeer(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#peers.delete(peerId);
    peer.home.peers -= 1;
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

  /** A producer of any peer of the room (or received from another SFU process), or `not_found`. */
  producer(producerId: string): types.Producer<ProducerData> {
    return this.#source(producerId).producer;
  }

  /** A producer and the router it lives on. */
  #source(producerId: string): { producer: types.Producer<ProducerData>; router: types.Router } {
    this.#assertOpen();
    for (const peer of this.#peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer) return { producer, router: peer.home.router };
    }
    const piped = this.#pipeProducers.get(producerId);
    if (piped) return { producer: piped, router: this.router };
    throw notFound('producer', producerId);
  }

  /** Makes a producer available on `to` (same id), piping it there once with pipeToRouter. */
  async #pipeTo(producerId: string, from: types.Router, to: types.Router): Promise<void> {
    if (from === to) return;
    const key = `${to.id}:${producerId}`;
    let piping = this.#piped.get(key);
    if (!piping) {
      piping = mediasoupCall('pipeToRouter', async () => {
        const { pipeProducer } = await from.pipeToRouter({
          producerId,
          router: to,
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        });
        pipeProducer?.observer.once('close', () => this.#piped.delete(key));
      });
      this.#piped.set(key, piping);
      piping.catch(() => this.#piped.delete(key));
    }
    await piping;
  }

  /** A WebRTC transport on the worker's WebRtcServer. */
  async createWebRtcTransport(peerId: string, direction: TransportDirection) {
    const peer = await this.admit(peerId);
    const transport = await mediasoupCall('router', () =>
      peer.home.router.createWebRtcTransport({
        webRtcServer: peer.home.slot.webRtcServer,
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
    const peer = await this.admit(peerId);
    const transport = await mediasoupCall('router', () =>
      peer.home.router.createPlainTransport({
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
      // The speaker observer lives on the first router: a microphone elsewhere is piped to it.
      await this.#pipeTo(producer.id, peer.home.router, this.router);
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
    const { producer, router } = this.#source(p.producerId);
    // A producer on another worker's router reaches the viewer's router through a pipe.
    await this.#pipeTo(producer.id, router, peer.home.router);
    const caps = p.rtpCapabilities as types.RtpCapabilities;
    if (!peer.home.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) {
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

  // -- pipes to the same room on other SFU processes ------------------------------

  /** One end of a pipe (on the first router); the other SFU process connects to it. */
  async createPipeTransport(): Promise<PipeTransportInfo> {
    this.#assertOpen();
    const transport = await mediasoupCall('router', () =>
      this.router.createPipeTransport({
        listenInfo: {
          protocol: 'udp',
          ip: this.options.listenIp,
          announcedAddress: this.options.announcedAddress,
        },
      }),
    );
    if (this.closed) {
      transport.close();
      throw closedError(`room ${this.id}`);
    }
    this.#pipeTransports.set(transport.id, transport);
    transport.observer.once('close', () => this.#pipeTransports.delete(transport.id));
    return { id: transport.id, ip: transport.tuple.localAddress, port: transport.tuple.localPort };
  }

  /** Tells a pipe transport where its other end is. */
  async connectPipeTransport(transportId: string, ip: string, port: number): Promise<void> {
    const transport = this.#pipeTransport(transportId);
    await mediasoupCall('connect', () => transport.connect({ ip, port }));
  }

  /** Sends one producer of this room down a pipe; the other end produces it again. */
  async pipeConsume(transportId: string, producerId: string): Promise<PipeConsumerInfo> {
    const transport = this.#pipeTransport(transportId);
    const { producer, router } = this.#source(producerId);
    await this.#pipeTo(producer.id, router, this.router);
    const consumer = await mediasoupCall('pipeConsume', () =>
      transport.consume({ producerId: producer.id }),
    );
    return {
      producerId: producer.id,
      peerId: producer.appData.peerId,
      source: producer.appData.source,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      paused: consumer.producerPaused,
    };
  }

  /** Receives a producer of another SFU process from a pipe, under the same id. */
  async pipeProduce(transportId: string, p: PipeConsumerInfo): Promise<void> {
    const transport = this.#pipeTransport(transportId);
    if (this.#pipeProducers.has(p.producerId)) return;
    const appData: ProducerData = { peerId: p.peerId, source: p.source };
    const producer = await mediasoupCall('pipeProduce', () =>
      transport.produce<ProducerData>({
        id: p.producerId,
        kind: p.kind,
        rtpParameters: p.rtpParameters as types.RtpParameters,
        paused: p.paused,
        appData,
      }),
    );
    this.#pipeProducers.set(producer.id, producer);
    producer.observer.once('close', () => this.#pipeProducers.delete(producer.id));
    if (p.source === 'mic') {
      await mediasoupCall('speaker', () => this.speaker.addProducer({ producerId: producer.id }));
    }
  }

  #pipeTransport(transportId: string): types.PipeTransport {
    this.#assertOpen();
    const transport = this.#pipeTransports.get(transportId);
    if (!transport) throw notFound('pipe transport', transportId);
    return transport;
  }

  #assertOpen(): void {
    if (this.closed) throw closedError(`room ${this.id}`);
  }
}
