import {
  type ClientRequest,
  type ClientResponse,
  type MediaSource,
  PreauError,
  type ProducerView,
  type RtpCapabilities,
  type ServerEvent,
  type ServerEventName,
  type SfuEvent,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import type { SfuApi } from '@preau/sfu';
import type { Participant } from '../session/LiveSession';
import type { Actor } from '../session/types';
import { type ProducerRecord, SessionMedia } from './SessionMedia';

/** What media signalling needs from its session. */
export interface MediaContext {
  log: Logger;
  /** The participant acting through this socket (throws if they have not joined on it). */
  participant(actor: Actor): Participant;
  canShareScreen(p: Participant): boolean;
  isPresent(participantId: string): boolean;
  socketOf(participantId: string): string | null;
  broadcast<E extends ServerEventName>(
    event: E,
    payload: ServerEvent<E>,
    exceptSocket?: string,
  ): void;
  send<E extends ServerEventName>(socketId: string, event: E, payload: ServerEvent<E>): void;
  /** Whether `viewer` may receive `owner`'s media now (breakout rooms); everyone when absent. */
  sees?(viewer: string, owner: string): boolean;
}

const KIND_OF: Record<MediaSource, 'audio' | 'video'> = {
  mic: 'audio',
  camera: 'video',
  screen: 'video',
};

/**
 * The media signalling of one live session: checks who may do what, asks the
 * SFU, and tells the others. A participant has at most one producer per
 * source (a new camera replaces the old one).
 */
export class MediaSignalling {
  readonly #media: SessionMedia;
  readonly #ctx: MediaContext;
  readonly #unsubscribe: () => void;
  #activeSpeaker: string | null = null;

  constructor(sfu: SfuApi, roomId: string, ctx: MediaContext) {
    this.#media = new SessionMedia(sfu, roomId);
    this.#ctx = ctx;
    this.#unsubscribe = this.#media.subscribe((event) => this.#onSfuEvent(event));
  }

  /** The participant whose microphone is loudest now. */
  get activeSpeaker(): string | null {
    return this.#activeSpeaker;
  }

  routerCapabilities(): Promise<RtpCapabilities> {
    return this.#media.routerCapabilities();
  }

  producers(): ProducerView[] {
    return this.#media.producers().map((p) => ({ ...p }));
  }

  /** Counters of one producer at the SFU. */
  producerStats(producerId: string) {
    return this.#media.producerStats(producerId);
  }

  // -- events from the participant's browser ---------------------------------

  setCapabilities(actor: Actor, req: ClientRequest<'media.setCapabilities'>) {
    const p = this.#ctx.participant(actor);
    this.#media.setCapabilities(p.id, req.rtpCapabilities as RtpCapabilities);
    return {};
  }

  createTransport(
    actor: Actor,
    req: ClientRequest<'media.createTransport'>,
  ): Promise<ClientResponse<'media.createTransport'>> {
    const p = this.#ctx.participant(actor);
    return this.#media.createTransport(p.id, req.direction);
  }

  async connectTransport(actor: Actor, req: ClientRequest<'media.connectTransport'>) {
    const p = this.#ctx.participant(actor);
    await this.#media.connectTransport(p.id, req.transportId, req.dtlsParameters);
    return {};
  }

  async restartIce(actor: Actor, req: ClientRequest<'media.restartIce'>) {
    const p = this.#ctx.participant(actor);
    return { iceParameters: await this.#media.restartIce(p.id, req.transportId) };
  }

  async produce(actor: Actor, req: ClientRequest<'media.produce'>) {
    const p = this.#ctx.participant(actor);
    if (KIND_OF[req.source] !== req.kind) {
      throw new PreauError('bad_request', `a ${req.source} sends ${KIND_OF[req.source]}`);
    }
    if (!p.rights.includes('present')) throw new PreauError('forbidden', 'not allowed to publish');
    if (req.source === 'screen' && !this.#ctx.canShareScreen(p)) {
      throw new PreauError('forbidden', 'screen sharing is not allowed');
    }
    // One producer per source: a new camera replaces the previous one.
    await this.closeSources(p.id, req.source);
    const record = await this.#media.produce(p.id, req);
    if (!this.#ctx.isPresent(p.id)) {
      // They left while the SFU was answering: nothing of theirs may stay.
      await this.#media.closeProducer(record.producerId);
      throw new PreauError('conflict', 'left the session');
    }
    this.#ctx.broadcast('producer.added', { ...record }, actor.socketId);
    return { producerId: record.producerId };
  }

  async pauseProducer(actor: Actor, req: ClientRequest<'media.pauseProducer'>) {
    this.#own(actor, req.producerId);
    this.#announce(await this.#media.pauseProducer(req.producerId, 'self'));
    return {};
  }

  async resumeProducer(actor: Actor, req: ClientRequest<'media.resumeProducer'>) {
    this.#own(actor, req.producerId);
    this.#announce(await this.#media.resumeProducer(req.producerId));
    return {};
  }

  async closeProducer(actor: Actor, req: ClientRequest<'media.closeProducer'>) {
    const p = this.#ctx.participant(actor);
    const record = this.#media.producer(req.producerId);
    if (!record) return {};
    if (record.participantId !== p.id) throw new PreauError('forbidden', 'not your producer');
    await this.#media.closeProducer(req.producerId);
    this.#ctx.broadcast('producer.closed', { producerId: record.producerId, participantId: p.id });
    return {};
  }

  async consume(actor: Actor, req: ClientRequest<'media.consume'>) {
    const p = this.#ctx.participant(actor);
    const owner = this.#media.producer(req.producerId)?.participantId;
    if (owner && this.#ctx.sees && !this.#ctx.sees(p.id, owner)) {
      throw new PreauError('forbidden', 'not in the same room');
    }
    const info = await this.#media.consume(p.id, req.transportId, req.producerId);
    if (owner && this.#ctx.sees && !this.#ctx.sees(p.id, owner)) {
      // The rooms changed while the SFU was answering: this consumer may not stay.
      await this.#media.consumerCall(p.id, info.id, 'closeConsumer');
      throw new PreauError('forbidden', 'not in the same room');
    }
    return info;
  }

  async consumerCall(
    actor: Actor,
    consumerId: string,
    call: 'pauseConsumer' | 'resumeConsumer' | 'closeConsumer',
  ) {
    const p = this.#ctx.participant(actor);
    await this.#media.consumerCall(p.id, consumerId, call);
    return {};
  }

  async setPreferredLayers(actor: Actor, req: ClientRequest<'media.setPreferredLayers'>) {
    const p = this.#ctx.participant(actor);
    await this.#media.setPreferredLayers(p.id, req.consumerId, req.spatialLayer, req.temporalLayer);
    return {};
  }

  /** Drops everything the participant holds at the SFU (before they rebuild their transports). */
  async reset(actor: Actor) {
    const p = this.#ctx.participant(actor);
    await this.participantLeft(p.id);
    return {};
  }

  // -- teacher controls and lifecycle ---------------------------------------------

  /** Pauses a participant's producers of one source; true if any was playing. */
  async pauseSources(participantId: string, source: MediaSource): Promise<boolean> {
    let any = false;
    for (const record of this.#media.producersOf(participantId)) {
      if (record.source !== source || record.paused) continue;
      this.#announce(await this.#media.pauseProducer(record.producerId, 'moderator'));
      any = true;
    }
    return any;
  }

  /** Closes a participant's producers of one source. */
  async closeSources(participantId: string, source: MediaSource) {
    for (const record of this.#media.producersOf(participantId)) {
      if (record.source !== source) continue;
      await this.#media.closeProducer(record.producerId);
      this.#ctx.broadcast('producer.closed', { producerId: record.producerId, participantId });
    }
  }

  /** Closes a departed participant's media and tells the others. */
  async participantLeft(participantId: string) {
    try {
      const gone = await this.#media.closePeer(participantId);
      for (const record of gone) {
        this.#ctx.broadcast('producer.closed', { producerId: record.producerId, participantId });
      }
    } catch (err) {
      this.#ctx.log.warn({ err, participantId }, 'closing a participant’s media failed');
    }
    if (this.#activeSpeaker === participantId) {
      this.#activeSpeaker = null;
      this.#ctx.broadcast('speaker.active', { participantId: null });
    }
  }

  /**
   * Closes every consumer whose viewer may no longer receive its producer
   * (they are now in different breakout rooms), and tells the viewer.
   */
  async enforceVisibility(sees: (viewer: string, owner: string) => boolean) {
    for (const c of this.#media.consumers()) {
      const owner = this.#media.producer(c.producerId)?.participantId;
      if (!owner || sees(c.participantId, owner)) continue;
      try {
        await this.#media.consumerCall(c.participantId, c.consumerId, 'closeConsumer');
      } catch (err) {
        this.#ctx.log.warn({ err, participantId: c.participantId }, 'closing a consumer failed');
      }
      const socket = this.#ctx.socketOf(c.participantId);
      if (socket) this.#ctx.send(socket, 'consumer.closed', { consumerId: c.consumerId });
    }
  }

  /** Closes the room at the SFU; idempotent. */
  async close() {
    this.#unsubscribe();
    await this.#media.close();
  }

  #own(actor: Actor, producerId: string): ProducerRecord {
    const p = this.#ctx.participant(actor);
    const record = this.#media.producer(producerId);
    if (!record) throw new PreauError('not_found', 'no such producer');
    if (record.participantId !== p.id) throw new PreauError('forbidden', 'not your producer');
    return record;
  }

  #announce(record: ProducerRecord) {
    this.#ctx.broadcast('producer.updated', { ...record });
  }

  #onSfuEvent(event: SfuEvent) {
    switch (event.type) {
      case 'activeSpeaker':
        if (event.peerId !== this.#activeSpeaker && this.#ctx.isPresent(event.peerId)) {
          this.#activeSpeaker = event.peerId;
          this.#ctx.broadcast('speaker.active', { participantId: event.peerId });
        }
        return;
      case 'producerClosed':
        if (this.#media.forgetProducer(event.producerId)) {
          this.#ctx.broadcast('producer.closed', {
            producerId: event.producerId,
            participantId: event.peerId,
          });
        }
        return;
      case 'consumerClosed': {
        this.#media.forgetConsumer(event.peerId, event.consumerId);
        const socket = this.#ctx.socketOf(event.peerId);
        if (socket) this.#ctx.send(socket, 'consumer.closed', { consumerId: event.consumerId });
        return;
      }
      case 'producerPaused':
      case 'consumerLayersChanged':
        return;
      case 'roomClosed':
        if (event.reason === 'closed') return;
        // The SFU lost the room (a worker died): everyone rebuilds their media.
        this.#ctx.log.warn({ reason: event.reason }, 'media room lost; participants rebuild');
        // Not to their owners: a closed producer means a camera stopped for
        // good, while their pages send the same tracks again once rebuilt.
        for (const record of this.#media.reset()) {
          const owner = this.#ctx.socketOf(record.participantId) ?? undefined;
          this.#ctx.broadcast(
            'producer.closed',
            { producerId: record.producerId, participantId: record.participantId },
            owner,
          );
        }
        this.#ctx.broadcast('media.reset', {});
        return;
      default:
        event satisfies never;
    }
  }
}
