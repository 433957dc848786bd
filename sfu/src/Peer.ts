import type { MediaSource, SfuCloseReason, TransportDirection } from '@preau/protocol';
import type { types } from 'mediasoup';
import { closedError, notFound } from './errors';
import type { WorkerSlot } from './WorkerPool';

/** One router of a room, on one worker. */
export interface RoomRouter {
  readonly slot: WorkerSlot;
  readonly router: types.Router;
  /** Peers whose transports live here. */
  peers: number;
}

/** A transport of a peer, with what it is for. */
export interface PeerTransport {
  readonly transport: types.WebRtcTransport | types.PlainTransport;
  readonly direction: TransportDirection;
  readonly plain: boolean;
}

/** What the SFU keeps in a producer's appData. */
export interface ProducerData {
  [key: string]: unknown;
  peerId: string;
  source: MediaSource;
}

/**
 * One participant of a room: owns its transports, and through them its
 * producers and consumers (mediasoup closes those with their transport).
 */
export class Peer {
  readonly transports = new Map<string, PeerTransport>();
  readonly producers = new Map<string, types.Producer<ProducerData>>();
  readonly consumers = new Map<string, types.Consumer>();
  /** Why this peer is closing, so its media's close events say so. */
  closing: SfuCloseReason | undefined;

  constructor(
    readonly roomId: string,
    readonly id: string,
    /** The router (one per worker the room uses) this peer's transports live on. */
    readonly home: RoomRouter,
  ) {}

  /** True once close() ran. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** A transport of this peer, or `not_found`. */
  transport(transportId: string, direction?: TransportDirection): PeerTransport {
    if (this.closed) throw closedError(`peer ${this.id}`);
    const entry = this.transports.get(transportId);
    if (!entry || (direction && entry.direction !== direction)) {
      throw notFound(direction ? `${direction} transport` : 'transport', transportId);
    }
    return entry;
  }

  /** A consumer this peer receives, or `not_found`. */
  consumer(consumerId: string): types.Consumer {
    if (this.closed) throw closedError(`peer ${this.id}`);
    const consumer = this.consumers.get(consumerId);
    if (!consumer) throw notFound('consumer', consumerId);
    return consumer;
  }

  /** Adds a transport and forgets it (and its media) when it closes. */
  addTransport(entry: PeerTransport): void {
    this.transports.set(entry.transport.id, entry);
    const transport: types.Transport = entry.transport;
    transport.observer.once('close', () => this.transports.delete(transport.id));
  }

  /** Closes every transport (so every producer and consumer); idempotent. */
  close(reason: SfuCloseReason): void {
    if (this.closing) return;
    this.closing = reason;
    for (const { transport } of [...this.transports.values()]) transport.close();
    this.transports.clear();
  }

  /** Producers, transports and consumers: this peer's weight on its worker. */
  get load(): number {
    return this.transports.size + this.producers.size + this.consumers.size;
  }
}
