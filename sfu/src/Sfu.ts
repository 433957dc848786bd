import {
  PreauError,
  type SfuCallType,
  type SfuEvent,
  type SfuNodeLoad,
  type SfuParams,
  type SfuResult,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import type { types } from 'mediasoup';
import type { SfuOptions } from './config';
import { closedError, mediasoupCall, notFound } from './errors';
import { Room } from './Room';
import type { SfuApi } from './SfuApi';
import { sumStats } from './stats';
import { WorkerPool, type WorkerSlot } from './WorkerPool';

type P<T extends SfuCallType> = SfuParams<T>;
type R<T extends SfuCallType> = Promise<SfuResult<T>>;

/**
 * The in-process SFU: owns the worker pool and the rooms (Sfu → Room → Peer →
 * transports → producers/consumers). Concurrent createRoom calls for one id
 * share one promise; every call after close() throws `unavailable`.
 */
export class Sfu implements SfuApi {
  readonly #rooms = new Map<string, Promise<Room>>();
  readonly #listeners = new Set<(event: SfuEvent) => void>();
  #pool: WorkerPool | undefined;
  #closed = false;
  /** CPU time (ms) of each worker at the previous load report, by pid. */
  readonly #cpuSeen = new Map<number, number>();
  #cpuAt = Date.now();

  private constructor(
    private readonly options: SfuOptions,
    private readonly log: Logger,
  ) {}

  /** Starts the workers. */
  static async start(options: SfuOptions, log: Logger): Promise<Sfu> {
    const sfu = new Sfu(options, log);
    sfu.#pool = await WorkerPool.start(options, log.child({ module: 'workers' }), (slot) =>
      sfu.#workerDied(slot),
    );
    return sfu;
  }

  /** Closes every room and worker; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const rooms = await Promise.allSettled(this.#rooms.values());
    this.#rooms.clear();
    for (const r of rooms) if (r.status === 'fulfilled') r.value.close('closed');
    this.#pool?.close();
    this.#listeners.clear();
  }

  subscribe(listener: (event: SfuEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async createRoom({ roomId }: P<'createRoom'>): R<'createRoom'> {
    await this.#openRoom(roomId);
    return {};
  }

  async closeRoom({ roomId }: P<'closeRoom'>): R<'closeRoom'> {
    this.#assertOpen();
    const pending = this.#rooms.get(roomId);
    if (!pending) return {};
    this.#rooms.delete(roomId);
    const room = await pending.catch(() => undefined);
    room?.close('closed');
    return {};
  }

  async routerRtpCapabilities({ roomId }: P<'routerRtpCapabilities'>): R<'routerRtpCapabilities'> {
    return (await this.#room(roomId)).router.rtpCapabilities;
  }

  async listProducers({ roomId }: P<'listProducers'>): R<'listProducers'> {
    return (await this.#room(roomId)).listProducers();
  }

  async createWebRtcTransport(p: P<'createWebRtcTransport'>): R<'createWebRtcTransport'> {
    return (await this.#room(p.roomId)).createWebRtcTransport(p.peerId, p.direction);
  }

  async createPlainTransport(p: P<'createPlainTransport'>): R<'createPlainTransport'> {
    return (await this.#room(p.roomId)).createPlainTransport(p.peerId, p.direction);
  }

  async connectTransport(p: P<'connectTransport'>): R<'connectTransport'> {
    const { transport, plain } = (await this.#peer(p)).transport(p.transportId);
    if (plain) throw notFound('WebRTC transport', p.transportId);
    const dtlsParameters = p.dtlsParameters as types.DtlsParameters;
    await mediasoupCall('connect', () => transport.connect({ dtlsParameters }));
    return {};
  }

  async connectPlainTransport(p: P<'connectPlainTransport'>): R<'connectPlainTransport'> {
    const { transport, plain } = (await this.#peer(p)).transport(p.transportId, 'recv');
    if (!plain) throw notFound('plain transport', p.transportId);
    const plainTransport = transport as types.PlainTransport;
    await mediasoupCall('connect', () => plainTransport.connect({ ip: p.ip, port: p.port }));
    return {};
  }

  async restartIce(p: P<'restartIce'>): R<'restartIce'> {
    const { transport, plain } = (await this.#peer(p)).transport(p.transportId);
    if (plain) throw notFound('WebRTC transport', p.transportId);
    return mediasoupCall('restartIce', () => (transport as types.WebRtcTransport).restartIce());
  }

  async setMaxIncomingBitrate(p: P<'setMaxIncomingBitrate'>): R<'setMaxIncomingBitrate'> {
    const { transport } = (await this.#peer(p)).transport(p.transportId, 'send');
    await mediasoupCall('bitrate', () => transport.setMaxIncomingBitrate(p.bitrate));
    return {};
  }

  async produce(p: P<'produce'>): R<'produce'> {
    const room = await this.#room(p.roomId);
    return { producerId: await room.produce(p.peerId, p) };
  }

  async pauseProducer(p: P<'pauseProducer'>): R<'pauseProducer'> {
    const producer = (await this.#room(p.roomId)).producer(p.producerId);
    await mediasoupCall('pause', () => producer.pause());
    return {};
  }

  async resumeProducer(p: P<'resumeProducer'>): R<'resumeProducer'> {
    const producer = (await this.#room(p.roomId)).producer(p.producerId);
    await mediasoupCall('resume', () => producer.resume());
    return {};
  }

  async closeProducer(p: P<'closeProducer'>): R<'closeProducer'> {
    const room = await this.#room(p.roomId);
    try {
      room.producer(p.producerId).close();
    } catch (err) {
      if (!(err instanceof PreauError && err.code === 'not_found')) throw err;
    }
    return {};
  }

  async consume(p: P<'consume'>): R<'consume'> {
    return (await this.#room(p.roomId)).consume(p.peerId, p);
  }

  async pauseConsumer(p: P<'pauseConsumer'>): R<'pauseConsumer'> {
    const consumer = (await this.#peer(p)).consumer(p.consumerId);
    await mediasoupCall('pause', () => consumer.pause());
    return {};
  }

  async resumeConsumer(p: P<'resumeConsumer'>): R<'resumeConsumer'> {
    const consumer = (await this.#peer(p)).consumer(p.consumerId);
    await mediasoupCall('resume', () => consumer.resume());
    return {};
  }

  async closeConsumer(p: P<'closeConsumer'>): R<'closeConsumer'> {
    (await this.#room(p.roomId)).closeConsumer(p.peerId, p.consumerId);
    return {};
  }

  async requestKeyFrame(p: P<'requestKeyFrame'>): R<'requestKeyFrame'> {
    const consumer = (await this.#peer(p)).consumer(p.consumerId);
    await mediasoupCall('keyframe', () => consumer.requestKeyFrame());
    return {};
  }

  async setPreferredLayers(p: P<'setPreferredLayers'>): R<'setPreferredLayers'> {
    const consumer = (await this.#peer(p)).consumer(p.consumerId);
    const layers = { spatialLayer: p.spatialLayer, temporalLayer: p.temporalLayer };
    await mediasoupCall('layers', () => consumer.setPreferredLayers(layers));
    return {};
  }

  async setConsumerPriority(p: P<'setConsumerPriority'>): R<'setConsumerPriority'> {
    const consumer = (await this.#peer(p)).consumer(p.consumerId);
    await mediasoupCall('priority', () => consumer.setPriority(p.priority));
    return {};
  }

  async closePeer(p: P<'closePeer'>): R<'closePeer'> {
    (await this.#room(p.roomId)).closePeer(p.peerId);
    return {};
  }

  async producerStats(p: P<'producerStats'>): R<'producerStats'> {
    const producer = (await this.#room(p.roomId)).producer(p.producerId);
    return sumStats(await mediasoupCall('stats', () => producer.getStats()), 'inbound-rtp');
  }

  async consumerStats(p: P<'consumerStats'>): R<'consumerStats'> {
    const consumer = (await this.#peer(p)).consumer(p.consumerId);
    return sumStats(await mediasoupCall('stats', () => consumer.getStats()), 'outbound-rtp');
  }

  async load(): R<'load'> {
    this.#assertOpen();
    const rooms = await this.#settledRooms();
    return {
      workers: (this.#pool?.slots ?? []).map((slot) => {
        const mine = rooms.filter((r) => r.uses(slot));
        return {
          pid: slot.worker.pid,
          rooms: mine.length,
          load: mine.reduce((sum, r) => sum + r.loadOn(slot), 0),
          udpPort: slot.udpPort,
          tcpPort: slot.tcpPort,
        };
      }),
    };
  }

  async createPipeTransport(p: P<'createPipeTransport'>): R<'createPipeTransport'> {
    return (await this.#room(p.roomId)).createPipeTransport();
  }

  async connectPipeTransport(p: P<'connectPipeTransport'>): R<'connectPipeTransport'> {
    await (await this.#room(p.roomId)).connectPipeTransport(p.transportId, p.ip, p.port);
    return {};
  }

  async pipeConsume(p: P<'pipeConsume'>): R<'pipeConsume'> {
    return (await this.#room(p.roomId)).pipeConsume(p.transportId, p.producerId);
  }

  async pipeProduce({ roomId, transportId, ...info }: P<'pipeProduce'>): R<'pipeProduce'> {
    await (await this.#room(roomId)).pipeProduce(transportId, info);
    return {};
  }

  /**
   * What this process reports to the classroom nodes every second: its rooms
   * and media, its workers, and their CPU time since the previous report.
   */
  async nodeLoad(): Promise<SfuNodeLoad> {
    this.#assertOpen();
    const rooms = await this.#settledRooms();
    const load: SfuNodeLoad = {
      rooms: rooms.length,
      routers: 0,
      peers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
      workers: this.#pool?.slots.length ?? 0,
      cpu: 0,
    };
    for (const room of rooms) {
      const c = room.counts();
      load.routers += c.routers;
      load.peers += c.peers;
      load.transports += c.transports;
      load.producers += c.producers;
      load.consumers += c.consumers;
    }
    load.cpu = await this.#cpu();
    return load;
  }

  /** Workers' CPU time (user + system) since the last call, in cores. */
  async #cpu(): Promise<number> {
    const now = Date.now();
    let usedMs = 0;
    for (const slot of this.#pool?.slots ?? []) {
      const usage = await slot.worker.getResourceUsage().catch(() => undefined);
      if (!usage) continue;
      const total = usage.ru_utime + usage.ru_stime;
      const before = this.#cpuSeen.get(slot.worker.pid);
      this.#cpuSeen.set(slot.worker.pid, total);
      if (before !== undefined) usedMs += Math.max(0, total - before);
    }
    const elapsed = now - this.#cpuAt;
    this.#cpuAt = now;
    return elapsed > 0 ? Math.round((usedMs / elapsed) * 1000) / 1000 : 0;
  }

  #emit = (event: SfuEvent): void => {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, event: event.type }, 'sfu event listener failed');
      }
    }
  };

  #openRoom(roomId: string): Promise<Room> {
    this.#assertOpen();
    const existing = this.#rooms.get(roomId);
    if (existing) return existing;
    // The room is still wanted if this very promise is still the map's entry.
    const pending: Promise<Room> = this.#placeRoom(
      roomId,
      () => this.#rooms.get(roomId) === pending,
    );
    this.#rooms.set(roomId, pending);
    pending.catch(() => {
      if (this.#rooms.get(roomId) === pending) this.#rooms.delete(roomId);
    });
    return pending;
  }

  async #placeRoom(roomId: string, wanted: () => boolean): Promise<Room> {
    const rooms = await this.#settledRooms();
    const loadOf = (s: WorkerSlot) => rooms.reduce((sum, r) => sum + r.loadOn(s), 0);
    const slot = this.#pool!.pick(loadOf);
    // A room that outgrows a router takes the least loaded worker it does not use yet.
    const pickSlot = (used: ReadonlySet<WorkerSlot>) => {
      const free = (this.#pool?.slots ?? []).filter((s) => !used.has(s));
      return free.sort((a, b) => loadOf(a) - loadOf(b))[0];
    };
    const log = this.log.child({ module: 'room', roomId });
    const room = await Room.create(roomId, slot, this.options, pickSlot, this.#emit, log);
    if (this.#closed || !wanted()) {
      room.close('closed');
      throw closedError(`room ${roomId}`);
    }
    room.router.observer.once('close', () => {
      // The router may close under the room (worker died): the room follows.
      room.close(slot.worker.died ? 'workerDied' : 'closed');
      if (this.#rooms.get(roomId) && !this.#closed) void this.#forget(roomId, room);
    });
    log.info({ worker: slot.index }, 'room opened');
    return room;
  }

  async #forget(roomId: string, room: Room) {
    const current = await this.#rooms.get(roomId)?.catch(() => undefined);
    if (current === room) this.#rooms.delete(roomId);
  }

  async #settledRooms(): Promise<Room[]> {
    const settled = await Promise.allSettled(this.#rooms.values());
    return settled.flatMap((r) => (r.status === 'fulfilled' && !r.value.closed ? [r.value] : []));
  }

  #workerDied(slot: WorkerSlot) {
    void this.#settledRooms().then((rooms) => {
      for (const room of rooms) if (room.uses(slot)) room.close('workerDied');
    });
  }

  async #room(roomId: string): Promise<Room> {
    this.#assertOpen();
    const pending = this.#rooms.get(roomId);
    if (!pending) throw notFound('room', roomId);
    const room = await pending;
    if (room.closed) throw closedError(`room ${roomId}`);
    return room;
  }

  async #peer(p: { roomId: string; peerId: string }) {
    return (await this.#room(p.roomId)).peer(p.peerId);
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError('sfu');
  }
}
