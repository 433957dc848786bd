import {
  PreauError,
  type SfuCallType,
  type SfuEvent,
  type SfuParams,
  type SfuResult,
} from '@preau/protocol';
import { background, type Logger } from '@preau/protocol/server';
import type { SfuApi } from '../SfuApi';
import { SfuNode } from './SfuNode';

type P<T extends SfuCallType> = SfuParams<T>;
type R<T extends SfuCallType> = Promise<SfuResult<T>>;

/** How a cluster of SFU processes is driven. */
export interface SfuClusterOptions {
  /** RPC addresses of the SFU processes (`ws://host:port/sfu-rpc`). */
  urls: readonly string[];
  /** Shared by every SFU process and the classroom nodes. */
  secret: string;
  /** Peers of one room on one node before the room's next peer goes to another node. */
  roomPeersPerNode: number;
  /** A node whose last load report is older than this is taken for dead (ms). */
  staleMs: number;
  log: Logger;
}

/** One room as the cluster drives it: a home node, and other nodes once it outgrew one. */
interface ClusterRoom {
  readonly id: string;
  readonly home: SfuNode;
  /** Nodes holding the room (home first), each with the epoch of its connection when the part was made. */
  readonly parts: Map<SfuNode, number>;
  /** Parts being opened, shared by the peers who arrive meanwhile. */
  readonly opening: Map<SfuNode, Promise<void>>;
  /** Which node each peer's transports live on. */
  readonly peers: Map<string, SfuNode>;
  /** Which node each producer was produced on. */
  readonly producers: Map<string, SfuNode>;
  /** Nodes each producer was piped to (`producerId` → node → done). */
  readonly piped: Map<string, Map<SfuNode, Promise<void>>>;
  /** Pipe transport pairs between two nodes (key: both urls) → node → its transport id. */
  readonly pipes: Map<string, Promise<Map<SfuNode, string>>>;
}

/**
 * An SfuApi over several SFU processes. A new room goes to the node with the
 * least load per worker (load reports arrive over each node's RPC every
 * second); a room that has `roomPeersPerNode` peers on its nodes takes its
 * next peer on another node, and a viewer on one node receives a producer of
 * another through a pair of PipeTransports (pipeConsume there, pipeProduce
 * here). A room is found again by any classroom node: the nodes themselves
 * are asked. When a node dies (its connection drops or its reports stop),
 * every room with a part on it is closed on the others and reported
 * `roomClosed` with reason `workerDied`: sessions rebuild their media, and the
 * room opens again on a live node.
 */
export class SfuCluster implements SfuApi {
  readonly #nodes: SfuNode[];
  readonly #rooms = new Map<string, Promise<ClusterRoom>>();
  readonly #listeners = new Set<(event: SfuEvent) => void>();
  readonly #health: NodeJS.Timeout;
  /** Lost rooms still being closed on their other nodes: a new placement waits for it. */
  readonly #closing = new Map<string, Promise<void>>();
  #closed = false;

  private constructor(private readonly options: SfuClusterOptions) {
    const { log } = options;
    this.#nodes = options.urls.map(
      (url) =>
        new SfuNode(
          url,
          options.secret,
          log.child({ node: url }),
          { up: () => undefined, down: (node) => this.#nodeLost(node) },
          (node, api) => api.subscribe((event) => this.#onNodeEvent(node, event)),
        ),
    );
    this.#health = setInterval(() => this.#checkHealth(), Math.max(250, options.staleMs / 3));
    this.#health.unref();
  }

  /** Connects to every node it can; the others are tried again every second or so. */
  static async start(options: SfuClusterOptions): Promise<SfuCluster> {
    if (options.urls.length === 0) throw new Error('an SFU cluster needs at least one node');
    const cluster = new SfuCluster(options);
    const up = await Promise.all(cluster.#nodes.map((n) => n.probe()));
    if (!up.some(Boolean)) {
      await cluster.close();
      throw new PreauError('unavailable', 'no SFU node answers');
    }
    return cluster;
  }

  /** The nodes, for tests and health pages. */
  get nodes(): ReadonlyArray<{ url: string; up: boolean; score: number }> {
    return this.#nodes.map((n) => ({ url: n.url, up: n.up, score: n.score() }));
  }

  /** The nodes holding a room, home first (empty if the cluster has no such room). */
  async nodesOf(roomId: string): Promise<string[]> {
    const room = await this.#rooms.get(roomId)?.catch(() => undefined);
    return room ? [...room.parts.keys()].map((n) => n.url) : [];
  }

  subscribe(listener: (event: SfuEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#health);
    this.#rooms.clear();
    await Promise.all(this.#nodes.map((n) => n.close()));
    this.#listeners.clear();
  }

  // -- rooms -----------------------------------------------------------------------

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
    if (room) await this.#closeParts(room);
    // The home node's own roomClosed is no longer routed (the room is forgotten): say it here.
    if (room) this.#emit({ type: 'roomClosed', roomId, reason: 'closed' });
    return {};
  }

  async routerRtpCapabilities(p: P<'routerRtpCapabilities'>): R<'routerRtpCapabilities'> {
    const room = await this.#room(p.roomId);
    return (await room.home.api()).routerRtpCapabilities(p);
  }

  async listProducers(p: P<'listProducers'>): R<'listProducers'> {
    const room = await this.#room(p.roomId);
    const lists = await Promise.all(
      [...room.parts.keys()].map(async (node) => (await node.api()).listProducers(p)),
    );
    return lists.flat();
  }

  // -- peers: every call goes to the node the peer lives on --------------------------

  async createWebRtcTransport(p: P<'createWebRtcTransport'>): R<'createWebRtcTransport'> {
    return (await this.#admit(p)).createWebRtcTransport(p);
  }

  async createPlainTransport(p: P<'createPlainTransport'>): R<'createPlainTransport'> {
    return (await this.#admit(p)).createPlainTransport(p);
  }

  async connectTransport(p: P<'connectTransport'>): R<'connectTransport'> {
    return (await this.#peerApi(p)).connectTransport(p);
  }

  async connectPlainTransport(p: P<'connectPlainTransport'>): R<'connectPlainTransport'> {
    return (await this.#peerApi(p)).connectPlainTransport(p);
  }

  async restartIce(p: P<'restartIce'>): R<'restartIce'> {
    return (await this.#peerApi(p)).restartIce(p);
  }

  async setMaxIncomingBitrate(p: P<'setMaxIncomingBitrate'>): R<'setMaxIncomingBitrate'> {
    return (await this.#peerApi(p)).setMaxIncomingBitrate(p);
  }

  async produce(p: P<'produce'>): R<'produce'> {
    const room = await this.#room(p.roomId);
    const node = this.#nodeOfPeer(room, p.peerId);
    const result = await (await node.api()).produce(p);
    room.producers.set(result.producerId, node);
    return result;
  }

  async consume(p: P<'consume'>): R<'consume'> {
    const room = await this.#room(p.roomId);
    const node = this.#nodeOfPeer(room, p.peerId);
    const source = room.producers.get(p.producerId) ?? room.home;
    if (source !== node) await this.#pipeProducer(room, p.producerId, source, node);
    return (await node.api()).consume(p);
  }

  async pauseConsumer(p: P<'pauseConsumer'>): R<'pauseConsumer'> {
    return (await this.#peerApi(p)).pauseConsumer(p);
  }

  async resumeConsumer(p: P<'resumeConsumer'>): R<'resumeConsumer'> {
    return (await this.#peerApi(p)).resumeConsumer(p);
  }

  async closeConsumer(p: P<'closeConsumer'>): R<'closeConsumer'> {
    return (await this.#peerApi(p)).closeConsumer(p);
  }

  async requestKeyFrame(p: P<'requestKeyFrame'>): R<'requestKeyFrame'> {
    return (await this.#peerApi(p)).requestKeyFrame(p);
  }

  async setPreferredLayers(p: P<'setPreferredLayers'>): R<'setPreferredLayers'> {
    return (await this.#peerApi(p)).setPreferredLayers(p);
  }

  async setConsumerPriority(p: P<'setConsumerPriority'>): R<'setConsumerPriority'> {
    return (await this.#peerApi(p)).setConsumerPriority(p);
  }

  async consumerStats(p: P<'consumerStats'>): R<'consumerStats'> {
    return (await this.#peerApi(p)).consumerStats(p);
  }

  async closePeer(p: P<'closePeer'>): R<'closePeer'> {
    const room = await this.#room(p.roomId);
    const node = this.#nodeOfPeer(room, p.peerId);
    room.peers.delete(p.peerId);
    return (await node.api()).closePeer(p);
  }

  // -- producers: the node that owns one, then the nodes it was piped to ----------------

  async pauseProducer(p: P<'pauseProducer'>): R<'pauseProducer'> {
    await this.#everyCopy(p.roomId, p.producerId, (api) => api.pauseProducer(p));
    return {};
  }

  async resumeProducer(p: P<'resumeProducer'>): R<'resumeProducer'> {
    await this.#everyCopy(p.roomId, p.producerId, (api) => api.resumeProducer(p));
    return {};
  }

  async closeProducer(p: P<'closeProducer'>): R<'closeProducer'> {
    await this.#everyCopy(p.roomId, p.producerId, (api) => api.closeProducer(p));
    const room = await this.#room(p.roomId);
    room.producers.delete(p.producerId);
    room.piped.delete(p.producerId);
    return {};
  }

  async producerStats(p: P<'producerStats'>): R<'producerStats'> {
    const room = await this.#room(p.roomId);
    return (await (room.producers.get(p.producerId) ?? room.home).api()).producerStats(p);
  }

  // -- pipes (between nodes; on the cluster they name the home node) ----------------------

  async createPipeTransport(p: P<'createPipeTransport'>): R<'createPipeTransport'> {
    return (await (await this.#room(p.roomId)).home.api()).createPipeTransport(p);
  }

  async connectPipeTransport(p: P<'connectPipeTransport'>): R<'connectPipeTransport'> {
    return (await (await this.#room(p.roomId)).home.api()).connectPipeTransport(p);
  }

  async pipeConsume(p: P<'pipeConsume'>): R<'pipeConsume'> {
    return (await (await this.#room(p.roomId)).home.api()).pipeConsume(p);
  }

  async pipeProduce(p: P<'pipeProduce'>): R<'pipeProduce'> {
    return (await (await this.#room(p.roomId)).home.api()).pipeProduce(p);
  }

  /** Every live node's workers. */
  async load(): R<'load'> {
    this.#assertOpen();
    const loads = await Promise.all(
      this.#nodes
        .filter((n) => n.up)
        .map(async (n) => (await n.api()).load().catch(() => ({ workers: [] }))),
    );
    return { workers: loads.flatMap((l) => l.workers) };
  }

  // -- placement ----------------------------------------------------------------------

  #openRoom(roomId: string): Promise<ClusterRoom> {
    this.#assertOpen();
    const existing = this.#rooms.get(roomId);
    if (existing) return existing;
    const pending = this.#placeRoom(roomId);
    this.#rooms.set(roomId, pending);
    pending.catch(() => {
      if (this.#rooms.get(roomId) === pending) this.#rooms.delete(roomId);
    });
    return pending;
  }

  /** Finds the room on a node (another classroom node may have placed it), else places it. */
  async #placeRoom(roomId: string): Promise<ClusterRoom> {
    await this.#closing.get(roomId);
    const found = await this.#findRoom(roomId);
    if (found) return this.#newRoom(roomId, found);
    let lastError: unknown = new PreauError('unavailable', 'no SFU node answers');
    for (const node of this.#byScore()) {
      try {
        node.pending += 1;
        await (await node.api()).createRoom({ roomId });
        this.options.log.info({ roomId, node: node.url, score: node.score() }, 'room placed');
        return this.#newRoom(roomId, node);
      } catch (err) {
        lastError = err;
        if (!(err instanceof PreauError && err.code === 'unavailable')) throw err;
        node.markDown();
      }
    }
    throw lastError;
  }

  #newRoom(roomId: string, home: SfuNode): ClusterRoom {
    return {
      id: roomId,
      home,
      parts: new Map([[home, home.epoch]]),
      opening: new Map(),
      peers: new Map(),
      producers: new Map(),
      piped: new Map(),
      pipes: new Map(),
    };
  }

  /** The live node that already has this room, if one does. */
  async #findRoom(roomId: string): Promise<SfuNode | undefined> {
    const answers = await Promise.all(
      this.#nodes
        .filter((n) => n.up)
        .map(async (node) => {
          try {
            await (await node.api()).routerRtpCapabilities({ roomId });
            return node;
          } catch (err) {
            if (!(err instanceof PreauError)) throw err;
            return undefined;
          }
        }),
    );
    return answers.find((n) => n !== undefined);
  }

  /** Live nodes, least loaded first. */
  #byScore(except: ReadonlySet<SfuNode> = new Set()): SfuNode[] {
    return this.#nodes
      .filter((n) => n.up && !except.has(n))
      .sort((a, b) => a.score() - b.score() || (a.load?.cpu ?? 0) - (b.load?.cpu ?? 0));
  }

  /**
   * The node a new peer goes to: the room's nodes in order while they have
   * fewer than `roomPeersPerNode` peers, else the least loaded other node
   * (the room opens there too), else the least crowded of the room's nodes.
   */
  async #admit(p: { roomId: string; peerId: string }): Promise<SfuApi> {
    const room = await this.#room(p.roomId);
    const known = room.peers.get(p.peerId);
    if (known) return known.api();
    const crowd = (node: SfuNode) => [...room.peers.values()].filter((n) => n === node).length;
    let node = [...room.parts.keys()].find((n) => n.up && crowd(n) < this.options.roomPeersPerNode);
    if (!node) {
      node = this.#byScore(new Set(room.parts.keys()))[0];
      if (node) await this.#openPart(room, node);
      else node = [...room.parts.keys()].sort((a, b) => crowd(a) - crowd(b))[0]!;
    }
    room.peers.set(p.peerId, node);
    node.pending += 1;
    return node.api();
  }

  async #openPart(room: ClusterRoom, node: SfuNode): Promise<void> {
    let opening = room.opening.get(node);
    if (!opening) {
      opening = (async () => {
        await (await node.api()).createRoom({ roomId: room.id });
        room.parts.set(node, node.epoch);
        this.options.log.info({ roomId: room.id, node: node.url }, 'room spread to a node');
      })();
      room.opening.set(node, opening);
      opening.catch(() => room.opening.delete(node));
    }
    await opening;
  }

  #nodeOfPeer(room: ClusterRoom, peerId: string): SfuNode {
    return room.peers.get(peerId) ?? room.home;
  }

  async #peerApi(p: { roomId: string; peerId: string }): Promise<SfuApi> {
    return this.#nodeOfPeer(await this.#room(p.roomId), p.peerId).api();
  }

  /** Makes a producer of `from` available on `to` under the same id, once. */
  async #pipeProducer(room: ClusterRoom, producerId: string, from: SfuNode, to: SfuNode) {
    let copies = room.piped.get(producerId);
    if (!copies) {
      copies = new Map();
      room.piped.set(producerId, copies);
    }
    let piping = copies.get(to);
    if (!piping) {
      piping = (async () => {
        const ends = await this.#pipe(room, from, to);
        const info = await (await from.api()).pipeConsume({
          roomId: room.id,
          transportId: ends.get(from)!,
          producerId,
        });
        await (await to.api()).pipeProduce({
          roomId: room.id,
          transportId: ends.get(to)!,
          ...info,
        });
      })();
      copies.set(to, piping);
      const mine = copies;
      piping.catch(() => mine.delete(to));
    }
    await piping;
  }

  /** The pair of PipeTransports between two nodes of a room (one pair carries both ways). */
  #pipe(room: ClusterRoom, a: SfuNode, b: SfuNode): Promise<Map<SfuNode, string>> {
    const key = [a.url, b.url].sort().join(' ');
    let pair = room.pipes.get(key);
    if (!pair) {
      pair = (async () => {
        const [apiA, apiB] = await Promise.all([a.api(), b.api()]);
        const roomId = room.id;
        const [endA, endB] = await Promise.all([
          apiA.createPipeTransport({ roomId }),
          apiB.createPipeTransport({ roomId }),
        ]);
        await Promise.all([
          apiA.connectPipeTransport({ roomId, transportId: endA.id, ip: endB.ip, port: endB.port }),
          apiB.connectPipeTransport({ roomId, transportId: endB.id, ip: endA.ip, port: endA.port }),
        ]);
        return new Map([
          [a, endA.id],
          [b, endB.id],
        ]);
      })();
      room.pipes.set(key, pair);
      pair.catch(() => room.pipes.delete(key));
    }
    return pair;
  }

  /** Runs a producer call on its node, then on every node it was piped to. */
  async #everyCopy(roomId: string, producerId: string, call: (api: SfuApi) => Promise<unknown>) {
    const room = await this.#room(roomId);
    await call(await (room.producers.get(producerId) ?? room.home).api());
    for (const [node, piping] of room.piped.get(producerId) ?? []) {
      await piping.catch(() => undefined);
      await call(await node.api());
    }
  }

  // -- events and failures ------------------------------------------------------------

  #onNodeEvent(node: SfuNode, event: SfuEvent) {
    const pending = this.#rooms.get(event.roomId);
    if (!pending) return;
    void pending.then(
      (room) => {
        // Only parts made on this very connection speak for the room (an SFU that
        // came back reports the rooms of its previous life as lost).
        if (room.parts.get(node) !== node.epoch || this.#rooms.get(room.id) !== pending) return;
        switch (event.type) {
          case 'roomClosed':
            if (event.reason === 'closed') return;
            this.#lose(room, `room lost on ${node.url} (${event.reason})`, node);
            return;
          case 'producerClosed': {
            room.producers.delete(event.producerId);
            const copies = room.piped.get(event.producerId);
            room.piped.delete(event.producerId);
            // The copies on other nodes go too, and with them their viewers' consumers.
            for (const [other] of copies ?? []) {
              background(
                this.options.log,
                'closing a piped producer',
                other
                  .api()
                  .then((api) =>
                    api.closeProducer({ roomId: room.id, producerId: event.producerId }),
                  ),
              );
            }
            this.#emit(event);
            return;
          }
          default:
            this.#emit(event);
        }
      },
      () => undefined,
    );
  }

  /** A node is gone: every room with a part on it is lost. */
  #nodeLost(node: SfuNode) {
    for (const pending of [...this.#rooms.values()]) {
      void pending.then(
        (room) => {
          if (room.parts.has(node) && this.#rooms.get(room.id) === pending) {
            this.#lose(room, `sfu node ${node.url} lost`, node);
          }
        },
        () => undefined,
      );
    }
  }

  /** Forgets a room, closes what is left of it, and tells the sessions to rebuild. */
  #lose(room: ClusterRoom, why: string, gone: SfuNode) {
    this.#rooms.delete(room.id);
    this.options.log.warn({ roomId: room.id, why }, 'media room lost; sessions rebuild');
    // The node taken for dead may still be there (hung, or cut off for a while):
    // its part is closed too, without waiting for it.
    background(this.options.log, 'closing a lost room part', this.#closePart(room, gone));
    const closing = this.#closeParts(room, gone).finally(() => {
      if (this.#closing.get(room.id) === closing) this.#closing.delete(room.id);
    });
    this.#closing.set(room.id, closing);
    background(this.options.log, 'closing a lost room', closing);
    this.#emit({ type: 'roomClosed', roomId: room.id, reason: 'workerDied' });
  }

  /** Closes the room on each of its nodes that still answers (but `skip`, which is gone). */
  async #closeParts(room: ClusterRoom, skip?: SfuNode) {
    await Promise.all(
      [...room.parts.keys()].map(async (node) => {
        if (node === skip || !node.up) return;
        await this.#closePart(room, node);
      }),
    );
  }

  /** Closes one part of a room; a node that does not answer has nothing left to close. */
  async #closePart(room: ClusterRoom, node: SfuNode) {
    try {
      await (await node.api()).closeRoom({ roomId: room.id });
    } catch (err) {
      if (!(err instanceof PreauError)) throw err;
      this.options.log.debug({ err, node: node.url }, 'closing a room part failed');
    }
  }

  /** Reports that stopped mark a node dead; nodes that are down are tried again. */
  #checkHealth() {
    if (this.#closed) return;
    const now = Date.now();
    for (const node of this.#nodes) {
      if (node.up && now - node.loadAt > this.options.staleMs) {
        void node.checkStale(this.options.staleMs);
      } else if (!node.up) void node.probe();
    }
  }

  async #room(roomId: string): Promise<ClusterRoom> {
    this.#assertOpen();
    const pending = this.#rooms.get(roomId);
    if (!pending) throw new PreauError('not_found', `no room ${roomId}`);
    return pending;
  }

  #emit(event: SfuEvent) {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.options.log.error({ err, event: event.type }, 'sfu event listener failed');
      }
    }
  }

  #assertOpen() {
    if (this.#closed) throw new PreauError('unavailable', 'sfu cluster is closed');
  }
}
