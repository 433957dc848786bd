import {
  type ConsumerInfo,
  type DtlsParameters,
  type IceParameters,
  type MediaKind,
  type MediaSource,
  PreauError,
  type ProducerView,
  type RtpCapabilities,
  type RtpParameters,
  type SfuEvent,
  type WebRtcTransportInfo,
} from '@preau/protocol';
import type { SfuApi } from '@preau/sfu';

/** A producer of the session and who owns it. */
export type ProducerRecord = ProducerView;

/** What one participant holds at the SFU. */
interface PeerMedia {
  rtpCapabilities: RtpCapabilities | null;
  transports: Set<string>;
  /** consumerId → producerId */
  consumers: Map<string, string>;
}

/**
 * The media side of one live session: a room at the SFU and who owns which
 * transport, producer and consumer. Ownership is checked here before any call
 * reaches the SFU (which checks it again for peer-level calls).
 */
export class SessionMedia {
  readonly #sfu: SfuApi;
  readonly #roomId: string;
  #room: Promise<RtpCapabilities> | null = null;
  readonly #producers = new Map<string, ProducerRecord>();
  readonly #peers = new Map<string, PeerMedia>();
  #closed = false;

  constructor(sfu: SfuApi, roomId: string) {
    this.#sfu = sfu;
    this.#roomId = roomId;
  }

  /** Opens the room once (concurrent callers share it) and returns the router's capabilities. */
  routerCapabilities(): Promise<RtpCapabilities> {
    this.#assertOpen();
    this.#room ??= (async () => {
      await this.#sfu.createRoom({ roomId: this.#roomId });
      return this.#sfu.routerRtpCapabilities({ roomId: this.#roomId });
    })();
    const room = this.#room;
    room.catch(() => {
      if (this.#room === room) this.#room = null;
    });
    return room;
  }

  /** Every producer of the session. */
  producers(): ProducerRecord[] {
    return [...this.#producers.values()];
  }

  /** One producer, if it exists. */
  producer(producerId: string): ProducerRecord | undefined {
    return this.#producers.get(producerId);
  }

  /** The producers of one participant. */
  producersOf(participantId: string): ProducerRecord[] {
    return this.producers().filter((p) => p.participantId === participantId);
  }

  /** Every consumer of the session: whose it is and which producer it receives. */
  consumers(): Array<{ participantId: string; consumerId: string; producerId: string }> {
    return [...this.#peers].flatMap(([participantId, peer]) =>
      [...peer.consumers].map(([consumerId, producerId]) => ({
        participantId,
        consumerId,
        producerId,
      })),
    );
  }

  /** Remembers what a participant's browser can decode. */
  setCapabilities(participantId: string, rtpCapabilities: RtpCapabilities) {
    this.#peer(participantId).rtpCapabilities = rtpCapabilities;
  }

  /** A WebRTC transport for a participant. */
  async createTransport(
    participantId: string,
    direction: 'send' | 'recv',
  ): Promise<WebRtcTransportInfo> {
    await this.routerCapabilities();
    const peer = this.#peer(participantId);
    if (peer.transports.size >= 4) throw new PreauError('conflict', 'too many transports');
    const info = await this.#sfu.createWebRtcTransport({
      roomId: this.#roomId,
      peerId: participantId,
      direction,
    });
    peer.transports.add(info.id);
    return info;
  }

  /** Completes a transport's DTLS parameters. */
  async connectTransport(participantId: string, transportId: string, dtls: DtlsParameters) {
    this.#ownTransport(participantId, transportId);
    await this.#sfu.connectTransport({
      roomId: this.#roomId,
      peerId: participantId,
      transportId,
      dtlsParameters: dtls,
    });
  }

  /** New ICE credentials for a transport after a network change. */
  async restartIce(participantId: string, transportId: string): Promise<IceParameters> {
    this.#ownTransport(participantId, transportId);
    return this.#sfu.restartIce({ roomId: this.#roomId, peerId: participantId, transportId });
  }

  /** Starts receiving a track from a participant. */
  async produce(
    participantId: string,
    req: {
      transportId: string;
      kind: MediaKind;
      source: MediaSource;
      rtpParameters: RtpParameters;
      paused?: boolean;
    },
  ): Promise<ProducerRecord> {
    this.#ownTransport(participantId, req.transportId);
    const { producerId } = await this.#sfu.produce({
      roomId: this.#roomId,
      peerId: participantId,
      transportId: req.transportId,
      kind: req.kind,
      source: req.source,
      rtpParameters: req.rtpParameters,
      paused: req.paused ?? false,
    });
    const record: ProducerRecord = {
      producerId,
      participantId,
      kind: req.kind,
      source: req.source,
      paused: req.paused ?? false,
      pausedBy: req.paused ? 'self' : null,
    };
    this.#producers.set(producerId, record);
    return record;
  }

  /** Pauses a producer at the SFU (a mute); returns the updated record. */
  async pauseProducer(producerId: string, by: 'self' | 'moderator'): Promise<ProducerRecord> {
    const record = this.#existingProducer(producerId);
    await this.#sfu.pauseProducer({ roomId: this.#roomId, producerId });
    record.paused = true;
    record.pausedBy = by;
    return record;
  }

  /** Forwards a paused producer again. */
  async resumeProducer(producerId: string): Promise<ProducerRecord> {
    const record = this.#existingProducer(producerId);
    await this.#sfu.resumeProducer({ roomId: this.#roomId, producerId });
    record.paused = false;
    record.pausedBy = null;
    return record;
  }

  /** Closes a producer; returns its record if it existed (consumers close with it at the SFU). */
  async closeProducer(producerId: string): Promise<ProducerRecord | undefined> {
    const record = this.#producers.get(producerId);
    if (!record) return undefined;
    this.#producers.delete(producerId);
    await this.#sfu.closeProducer({ roomId: this.#roomId, producerId });
    return record;
  }

  /** Forgets a producer the SFU closed on its own; true if it was known. */
  forgetProducer(producerId: string): boolean {
    return this.#producers.delete(producerId);
  }

  /** Forgets a consumer the SFU closed on its own. */
  forgetConsumer(participantId: string, consumerId: string) {
    this.#peers.get(participantId)?.consumers.delete(consumerId);
  }

  /** A paused consumer of another participant's producer for `participantId`. */
  async consume(
    participantId: string,
    transportId: string,
    producerId: string,
  ): Promise<ConsumerInfo> {
    this.#ownTransport(participantId, transportId);
    const peer = this.#peer(participantId);
    if (!peer.rtpCapabilities) {
      throw new PreauError('conflict', 'send media.setCapabilities first');
    }
    const producer = this.#existingProducer(producerId);
    if (producer.participantId === participantId) {
      throw new PreauError('bad_request', 'cannot consume your own producer');
    }
    const info = await this.#sfu.consume({
      roomId: this.#roomId,
      peerId: participantId,
      transportId,
      producerId,
      rtpCapabilities: peer.rtpCapabilities,
    });
    peer.consumers.set(info.id, producerId);
    return info;
  }

  /** Pauses, resumes or closes one of a participant's consumers. */
  async consumerCall(
    participantId: string,
    consumerId: string,
    call: 'pauseConsumer' | 'resumeConsumer' | 'closeConsumer',
  ) {
    const peer = this.#peers.get(participantId);
    if (!peer?.consumers.has(consumerId)) {
      if (call === 'closeConsumer') return;
      throw new PreauError('not_found', 'no such consumer');
    }
    const params = { roomId: this.#roomId, peerId: participantId, consumerId };
    if (call === 'closeConsumer') peer.consumers.delete(consumerId);
    await this.#sfu[call](params);
  }

  /** The highest simulcast layers a viewer wants for one consumer. */
  async setPreferredLayers(
    participantId: string,
    consumerId: string,
    spatialLayer: number,
    temporalLayer?: number,
  ) {
    if (!this.#peers.get(participantId)?.consumers.has(consumerId)) {
      throw new PreauError('not_found', 'no such consumer');
    }
    await this.#sfu.setPreferredLayers({
      roomId: this.#roomId,
      peerId: participantId,
      consumerId,
      spatialLayer,
      ...(temporalLayer === undefined ? {} : { temporalLayer }),
    });
  }

  /** Closes everything a participant holds; returns the producers that went away. */
  async closePeer(participantId: string): Promise<ProducerRecord[]> {
    const gone = this.producersOf(participantId);
    for (const p of gone) this.#producers.delete(p.producerId);
    const hadPeer = this.#peers.delete(participantId);
    if ((hadPeer || gone.length > 0) && this.#room && !this.#closed) {
      await this.#sfu.closePeer({ roomId: this.#roomId, peerId: participantId });
    }
    return gone;
  }

  /** Forgets everything after the SFU lost the room (a worker died); the next call opens a new one. */
  reset(): ProducerRecord[] {
    const gone = this.producers();
    this.#producers.clear();
    this.#peers.clear();
    this.#room = null;
    return gone;
  }

  /** Listens to this room's SFU events; returns the unsubscribe function. */
  subscribe(listener: (event: SfuEvent) => void): () => void {
    return this.#sfu.subscribe((event) => {
      if ('roomId' in event && event.roomId === this.#roomId) listener(event);
    });
  }

  /** Counters of one producer (for tests and the teacher's view). */
  producerStats(producerId: string) {
    this.#existingProducer(producerId);
    return this.#sfu.producerStats({ roomId: this.#roomId, producerId });
  }

  /** Closes the room at the SFU; idempotent. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#producers.clear();
    this.#peers.clear();
    if (this.#room) await this.#sfu.closeRoom({ roomId: this.#roomId });
  }

  #peer(participantId: string): PeerMedia {
    let peer = this.#peers.get(participantId);
    if (!peer) {
      peer = { rtpCapabilities: null, transports: new Set(), consumers: new Map() };
      this.#peers.set(participantId, peer);
    }
    return peer;
  }

  #ownTransport(participantId: string, transportId: string) {
    if (!this.#peers.get(participantId)?.transports.has(transportId)) {
      throw new PreauError('not_found', 'no such transport');
    }
  }

  #existingProducer(producerId: string): ProducerRecord {
    const record = this.#producers.get(producerId);
    if (!record) throw new PreauError('not_found', 'no such producer');
    return record;
  }

  #assertOpen() {
    if (this.#closed) throw new PreauError('unavailable', 'the session media is closed');
  }
}
