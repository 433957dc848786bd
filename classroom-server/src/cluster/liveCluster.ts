import { PreauError, type Result, type Right, toErrorBody } from '@preau/protocol';
import { background, type Logger } from '@preau/protocol/server';
import { getSession, type Schema } from '@preau/storage';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Admission } from '../admission';
import {
  ALREADY_LIMITED,
  type AnyHandler,
  edgeChecks,
  runHandler,
  type SocketContext,
} from '../handlers/defineHandler';
import type { RateLimiter } from '../handlers/RateLimiter';
import type { SessionRegistry } from '../session/SessionRegistry';
import type { ClassroomIo } from '../socketOutbox';
import { NodeLink } from './forwarding';
import { type Lease, SessionLeases } from './ownership';

/** A client event of a socket on another node, already size- and rate-checked there. */
interface CallRequest {
  kind: 'call';
  sessionId: string;
  /** The lease the sender found: the owner answers `moved` if it holds another (or none). */
  epoch: string;
  event: string;
  payload: unknown;
  socketId: string;
  participantId: string;
  name: string;
  /** The rights of the socket's token (a co-teacher's are added where the session runs). */
  rights: Right[];
  /** When the socket's token lapses (ms since the epoch): its node puts it out then. */
  expiresAt: number;
}

type CallAnswer = { moved: true } | { result: Result<unknown> };

/** Notices between nodes. */
type Notice =
  | {
      kind: 'closed';
      sessionId: string;
      epoch: string;
      socketId: string;
      participantId: string;
      deliberate: boolean;
    }
  | { kind: 'reconnect'; socketId: string };

/** A socket of this node, and the lease of the owner that served it (null before its first call). */
interface LocalSocket {
  ctx: SocketContext;
  lease: Lease | null;
}

/** A socket of another node, as the owner of its session sees it. */
interface RemoteSocket {
  ctx: SocketContext;
  node: string;
  epoch: string;
  rights: readonly Right[];
}

/** What the cluster part of a classroom node is built from. */
export interface LiveClusterDeps {
  redis: Redis;
  /** This node's name, unique in the cluster (a new one per process). */
  node: string;
  db: Kysely<Schema>;
  log: Logger;
  /** How long a lease lives unrenewed: a dead owner's sessions move after this. */
  leaseMs: number;
  /** How long a node waits for the owner's answer to a forwarded event. */
  forwardTimeoutMs: number;
  handlers: readonly AnyHandler[];
}

const NODE_KEY = 'preau:live:alive:';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function failure(err: unknown): Result<never> {
  return { ok: false, error: toErrorBody(err) };
}

/**
 * One live session across classroom nodes. The node holding a session's
 * lease runs its LiveSession (and alone talks to the SFU for it); the other
 * nodes forward their sockets' events to it and return its answers. When an
 * owner dies its leases lapse; the next event or the watcher claims the
 * session here and loads it from the database, and every socket served by
 * the former owner is made to reconnect and join again.
 */
export class LiveCluster {
  readonly node: string;
  readonly leases: SessionLeases;
  readonly #link: NodeLink;
  readonly #deps: LiveClusterDeps;
  readonly #log: Logger;
  readonly #handlers: ReadonlyMap<string, AnyHandler>;
  #registry: SessionRegistry | null = null;
  /** This node's admission control: a join forwarded here takes a slot of the owner's. */
  #admission: Admission | null = null;
  #io: ClassroomIo | null = null;
  readonly #local = new Map<string, LocalSocket>();
  readonly #remote = new Map<string, RemoteSocket>();
  /** Sessions being claimed here, so that concurrent events claim once. */
  readonly #claiming = new Map<string, Promise<Lease | null>>();
  /** Sessions claimed here, resolved once loaded. */
  readonly #loading = new Map<string, Promise<unknown>>();
  /**
   * The lease of another node last seen for a session this node forwards to:
   * no Redis read per forwarded event. Forgotten as soon as that owner
   * answers `moved` or is gone, and checked against Redis by the watcher
   * every quarter of a lease.
   */
  readonly #owners = new Map<string, Lease>();
  #watcher: NodeJS.Timeout | undefined;
  #watching = false;
  /** Handing over before stopping: this node takes no session any more. */
  #stopping = false;

  constructor(deps: LiveClusterDeps) {
    this.#deps = deps;
    this.node = deps.node;
    this.#log = deps.log.child({ node: deps.node });
    this.#handlers = new Map(deps.handlers.map((h) => [h.event, h]));
    this.#link = new NodeLink({ redis: deps.redis, node: deps.node, log: this.#log });
    this.leases = new SessionLeases({
      redis: deps.redis,
      node: deps.node,
      leaseMs: deps.leaseMs,
      onLost: (sessionId) => this.#lost(sessionId),
    });
  }

  /**
   * The socket.io server and the registry that runs the sessions this node
   * owns (both built after the cluster: the server takes its adapter, the
   * registry's outboxes its reconnections).
   */
  attach(io: ClassroomIo, registry: SessionRegistry, admission: Admission): this {
    this.#io = io;
    this.#registry = registry;
    this.#admission = admission;
    return this;
  }

  get #sessions(): SessionRegistry {
    if (!this.#registry) throw new Error('the live cluster has no registry');
    return this.#registry;
  }

  /** Listens to the other nodes and starts watching owners; resolves once listening. */
  async start(): Promise<void> {
    await this.#link.start({
      request: (from, body) => this.#answer(from, body as CallRequest),
      notice: (from, body) => this.#notice(from, body as Notice),
    });
    await this.#heartbeat();
    const every = Math.max(100, Math.floor(this.#deps.leaseMs / 4));
    this.#watcher = setInterval(() => {
      if (this.#watching) return;
      this.#watching = true;
      background(this.#log, 'watching session owners', () =>
        this.#watch().finally(() => {
          this.#watching = false;
        }),
      );
    }, every);
    this.#watcher.unref();
  }

  /** Whether some node runs the session now. */
  async runsAnywhere(sessionId: string): Promise<boolean> {
    return (await this.leases.owner(sessionId)) !== null;
  }

  /** Follows a socket of this node. */
  track(ctx: SocketContext): void {
    this.#local.set(ctx.actor.socketId, { ctx, lease: null });
  }

  /**
   * The session as the handshake checks it: loaded here when this node owns
   * it (or claims it, nobody owning it), read from the database otherwise.
   */
  async open(sessionId: string): Promise<{ space: string }> {
    const lease = await this.#resolve(sessionId);
    if (lease && this.#mine(sessionId, lease)) return this.#sessions.open(sessionId);
    const stored = await getSession(this.#deps.db, sessionId);
    if (!stored) throw new PreauError('not_found', 'no such session');
    if (stored.phase === 'ended') throw new PreauError('session_ended');
    return { space: stored.space };
  }

  /**
   * Runs one event of a socket of this node where its session runs: size and
   * rate here, then rights, schema and the handler on the owner (this node or
   * another). Waits through an owner's death (its lease lapsing) rather than
   * failing; a socket served by a former owner is made to reconnect.
   */
  async dispatch(
    handler: AnyHandler,
    ctx: SocketContext,
    limiter: RateLimiter,
    payload: unknown,
  ): Promise<Result<unknown>> {
    try {
      edgeChecks(handler, limiter, payload);
    } catch (err) {
      return failure(err);
    }
    const socket = this.#local.get(ctx.actor.socketId);
    const deadline = Date.now() + this.#deps.leaseMs + this.#deps.forwardTimeoutMs;
    try {
      for (;;) {
        const lease = await this.#resolve(ctx.sessionId);
        if (lease) {
          if (socket?.lease && socket.lease.epoch !== lease.epoch) {
            this.reconnect(ctx.actor.socketId);
            throw new PreauError('unavailable', 'the session moved to another node; reconnecting');
          }
          if (this.#mine(ctx.sessionId, lease)) {
            if (socket) socket.lease = lease;
            return await runHandler(handler, ctx, ALREADY_LIMITED, payload, this.#log);
          }
          const request: CallRequest = {
            kind: 'call',
            sessionId: ctx.sessionId,
            epoch: lease.epoch,
            event: handler.event,
            payload,
            socketId: ctx.actor.socketId,
            participantId: ctx.actor.participantId,
            name: ctx.actor.name,
            rights: [...ctx.actor.rights],
            expiresAt: ctx.credentials.expiresAt.getTime(),
          };
          const delivery = await this.#link.request<CallAnswer | null>(
            lease.node,
            request,
            this.#deps.forwardTimeoutMs,
          );
          if (delivery.delivered && delivery.answer && 'result' in delivery.answer) {
            if (socket) socket.lease = lease;
            return delivery.answer.result;
          }
          // Moved or gone: the next round reads the owner from Redis again.
          this.#forgetOwner(ctx.sessionId, lease);
          // Gone with its connections: its process died; its lease is dropped, not waited out.
          // (A request that timed out reached a listener: its node lives, only slowly.)
          if (
            !delivery.delivered &&
            delivery.reason === 'gone' &&
            (await this.#evictIfDead(ctx.sessionId, lease))
          )
            continue;
          // Sent but unanswered: it may have been done; only its sender may try again.
          if (!delivery.delivered && delivery.reason === 'timeout') {
            throw new PreauError('unavailable', 'the node running this session did not answer');
          }
          // The owner is gone (or no longer owns it): its lease lapses, then someone claims it.
        }
        if (Date.now() > deadline) {
          throw new PreauError('unavailable', 'no node runs this session now');
        }
        await sleep(lease ? 200 : 20);
      }
    } catch (err) {
      if (!(err instanceof PreauError)) {
        this.#log.error({ err, event: handler.event }, 'dispatching an event failed');
      }
      return failure(err);
    }
  }

  /** A socket of this node closed: the session hears it where it runs. `here` closes it locally. */
  socketClosed(ctx: SocketContext, deliberate: boolean, here: () => void): void {
    const socketId = ctx.actor.socketId;
    const socket = this.#local.get(socketId);
    this.#local.delete(socketId);
    const lease = socket?.lease;
    if (!lease || lease.node === this.node) {
      if (!lease || this.leases.held(ctx.sessionId)?.epoch === lease.epoch) here();
      return;
    }
    const notice: Notice = {
      kind: 'closed',
      sessionId: ctx.sessionId,
      epoch: lease.epoch,
      socketId,
      participantId: ctx.actor.participantId,
      deliberate,
    };
    background(this.#log, 'telling the owner a socket closed', this.#link.tell(lease.node, notice));
  }

  /** Drops a socket's transport, on whichever node holds it, so its client comes back at once. */
  reconnect(socketId: string): void {
    if (this.#closeTransport(socketId)) return;
    const notice: Notice = { kind: 'reconnect', socketId };
    background(this.#log, 'asking for a reconnection', this.#link.broadcast(notice));
  }

  /** A session closed here (over, unloaded, abandoned): its lease goes, so does what it knew of remote sockets. */
  sessionClosed(sessionId: string): void {
    this.#loading.delete(sessionId);
    for (const [id, remote] of this.#remote) {
      if (remote.ctx.sessionId === sessionId) this.#remote.delete(id);
    }
    background(this.#log, 'releasing a session lease', this.leases.release(sessionId));
  }

  /**
   * Before this node stops: the sessions it runs stop here unrecorded (their
   * stays go on) and their leases are released, so that another node takes
   * each over at once from the database; its sockets reconnect, through the
   * balancer, to another node. Nobody is put out of a session.
   */
  async handOver(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#watcher);
    for (const sessionId of [...this.#loading.keys()]) {
      await this.#sessions.loadedNow(sessionId)?.abandon();
    }
    await this.leases.close();
    for (const socketId of [...this.#local.keys()]) this.#closeTransport(socketId);
    this.#local.clear();
  }

  /** Stops watching and listening; the leases still held are released (the registry closed first). */
  async close(): Promise<void> {
    clearInterval(this.#watcher);
    await this.leases.close();
    await this.#link.close();
    await this.#deps.redis.del(NODE_KEY + this.node);
  }

  // ---------------------------------------------------------------------------

  /** Whether this node holds that lease (a lease naming this node's name but another epoch is a former life's). */
  #mine(sessionId: string, lease: Lease): boolean {
    return lease.node === this.node && this.leases.held(sessionId)?.epoch === lease.epoch;
  }

  /**
   * The session's owner, claimed here if nobody owns it; null when another
   * node just claimed it. Read from Redis only when this node neither holds
   * the lease surely (renewed recently) nor knows another node's.
   */
  async #resolve(sessionId: string): Promise<Lease | null> {
    const mine = this.leases.heldSurely(sessionId);
    if (mine) {
      await this.#loading.get(sessionId);
      return mine;
    }
    const known = this.#owners.get(sessionId);
    if (known) return known;
    const lease = await this.leases.owner(sessionId);
    if (!lease) return this.#claim(sessionId);
    const held = this.leases.held(sessionId);
    if (lease.node === this.node && held?.epoch === lease.epoch) {
      await this.#loading.get(sessionId);
    } else if (lease.node !== this.node) {
      this.#owners.set(sessionId, lease);
    }
    return lease;
  }

  /**
   * Drops the lease of a node whose process is gone (nobody listens on its
   * channel and it has no Redis connection left), so that the session is
   * claimed now rather than when the lease lapses. Whether it was dropped.
   */
  async #evictIfDead(sessionId: string, lease: Lease): Promise<boolean> {
    if (lease.node === this.node || (await this.leases.nodeConnected(lease.node))) return false;
    const evicted = await this.leases.evict(sessionId, lease);
    if (evicted) this.#log.warn({ sessionId, owner: lease.node }, 'owner node gone; lease dropped');
    return evicted;
  }

  /** Forgets another node's lease (it answered `moved`, or is gone), unless a newer one is known already. */
  #forgetOwner(sessionId: string, lease: Lease) {
    if (this.#owners.get(sessionId)?.epoch === lease.epoch) this.#owners.delete(sessionId);
  }

  #claim(sessionId: string): Promise<Lease | null> {
    let claiming = this.#claiming.get(sessionId);
    if (!claiming) {
      claiming = this.#takeOver(sessionId).finally(() => this.#claiming.delete(sessionId));
      this.#claiming.set(sessionId, claiming);
    }
    return claiming;
  }

  async #takeOver(sessionId: string): Promise<Lease | null> {
    if (this.#stopping) throw new PreauError('unavailable', 'this node is stopping');
    const lease = await this.leases.claim(sessionId);
    if (!lease) return null;
    this.#owners.delete(sessionId);
    // What a former owner held comes back from the database (stays, hands, chat, who was removed).
    const loading = this.#sessions.open(sessionId);
    this.#loading.set(sessionId, loading);
    try {
      await loading;
    } catch (err) {
      this.#loading.delete(sessionId);
      await this.leases.release(sessionId);
      throw err;
    }
    this.#log.info({ sessionId, epoch: lease.epoch }, 'session owned here');
    this.#rebind(sessionId, lease);
    return lease;
  }

  /** Sockets of this node served by another owner than `lease` reconnect and join again. */
  #rebind(sessionId: string, lease: Lease, sockets: Iterable<LocalSocket> = this.#local.values()) {
    for (const socket of sockets) {
      if (socket.ctx.sessionId !== sessionId || !socket.lease) continue;
      if (socket.lease.epoch !== lease.epoch) this.#closeTransport(socket.ctx.actor.socketId);
    }
  }

  /** This node lost a session's lease (unrenewed past its life): it stops running it, unrecorded. */
  #lost(sessionId: string) {
    this.#log.warn({ sessionId }, 'session lease lost; another node carries the session on');
    this.#loading.delete(sessionId);
    this.#owners.delete(sessionId);
    const session = this.#sessions.loadedNow(sessionId);
    if (session) background(this.#log, 'abandoning a session', session.abandon());
    for (const [socketId, socket] of this.#local) {
      if (socket.ctx.sessionId === sessionId && socket.lease) this.#closeTransport(socketId);
    }
  }

  /** Runs another node's event on a session owned here. */
  async #answer(from: string, request: CallRequest): Promise<CallAnswer> {
    if (request.kind !== 'call') return { result: failure(new PreauError('bad_request')) };
    const held = this.leases.held(request.sessionId);
    if (!held || held.epoch !== request.epoch) return { moved: true };
    await this.#loading.get(request.sessionId);
    const handler = this.#handlers.get(request.event);
    if (!handler || request.event === 'session.renew') {
      return { result: failure(new PreauError('bad_request', 'not an event for the owner')) };
    }
    const remote = this.#remoteSocket(from, request);
    return {
      result: await runHandler(handler, remote.ctx, ALREADY_LIMITED, request.payload, this.#log),
    };
  }

  #remoteSocket(from: string, request: CallRequest): RemoteSocket {
    const known = this.#remote.get(request.socketId);
    if (known && known.epoch === request.epoch) {
      known.rights = request.rights;
      known.node = from;
      return known;
    }
    const registry = this.#sessions;
    const { sessionId, participantId, socketId } = request;
    const remote: RemoteSocket = {
      node: from,
      epoch: request.epoch,
      rights: request.rights,
      ctx: {
        actor: {
          participantId,
          name: request.name,
          get rights() {
            return (
              registry.loadedNow(sessionId)?.floor.rightsOf(participantId, remote.rights) ??
              remote.rights
            );
          },
          socketId,
        },
        sessionId,
        registry,
        admission: this.#admission!,
        // The socket's node keeps its token: renewals never come here.
        credentials: {
          expiresAt: new Date(request.expiresAt),
          renew: () => Promise.reject(new PreauError('bad_request', 'renewed where the socket is')),
        },
        reconnect: () => this.reconnect(socketId),
        session: null,
      },
    };
    this.#remote.set(socketId, remote);
    return remote;
  }

  #notice(_from: string, notice: Notice) {
    switch (notice.kind) {
      case 'reconnect':
        this.#closeTransport(notice.socketId);
        return;
      case 'closed': {
        const remote = this.#remote.get(notice.socketId);
        this.#remote.delete(notice.socketId);
        if (this.leases.held(notice.sessionId)?.epoch !== notice.epoch) return;
        this.#remoteClosed(
          notice.sessionId,
          notice.socketId,
          notice.participantId,
          notice.deliberate,
          remote,
        );
        return;
      }
    }
  }

  #remoteClosed(
    sessionId: string,
    socketId: string,
    participantId: string,
    deliberate: boolean,
    remote: RemoteSocket | undefined,
  ) {
    this.#sessions.loadedNow(sessionId)?.floor.socketClosed(socketId);
    const session = remote?.ctx.session;
    if (session) {
      background(
        this.#log,
        'remote socket closed',
        session.socketClosed(socketId, participantId, deliberate),
      );
    }
  }

  #closeTransport(socketId: string): boolean {
    const socket = this.#io?.of('/').sockets.get(socketId);
    if (!socket) return false;
    // Closing the transport (not the socket) lets the client reconnect on its own.
    socket.conn.close();
    return true;
  }

  async #heartbeat() {
    await this.#deps.redis.set(NODE_KEY + this.node, '1', 'PX', this.#deps.leaseMs);
  }

  /**
   * Every few hundred milliseconds: this node says it is alive; sessions whose
   * owner lapsed are claimed; sockets served by a former owner reconnect; the
   * sockets of a dead node count as dropped connections where their session runs.
   */
  async #watch() {
    await this.#heartbeat();
    // The sockets that an owner served, by session: one pass over this node's
    // sockets per round, not one per session (thousands of sockets, hundreds of sessions).
    const bySession = new Map<string, LocalSocket[]>();
    for (const socket of this.#local.values()) {
      if (!socket.lease) continue;
      const list = bySession.get(socket.ctx.sessionId);
      if (list) list.push(socket);
      else bySession.set(socket.ctx.sessionId, [socket]);
    }
    const sessions = new Set(bySession.keys());
    // Owners known for sessions nobody here follows any more are dropped.
    for (const sessionId of this.#owners.keys()) {
      if (!sessions.has(sessionId)) this.#owners.delete(sessionId);
    }
    const owners = await this.leases.owners([...sessions]);
    // Owners that nobody listens for any more and that have no Redis connection
    // left are dead: their leases are dropped now, and the sessions claimed below.
    const others = new Set<string>();
    for (const lease of owners.values()) {
      if (lease && lease.node !== this.node) others.add(lease.node);
    }
    const dead = new Set<string>();
    for (const node of await this.#link.silent([...others])) {
      if (!(await this.leases.nodeConnected(node))) dead.add(node);
    }
    for (const [sessionId, lease] of owners) {
      if (!lease || !dead.has(lease.node)) continue;
      if (await this.leases.evict(sessionId, lease)) {
        this.#log.warn({ sessionId, owner: lease.node }, 'owner node gone; lease dropped');
        owners.set(sessionId, null);
      }
    }
    const claims: Array<Promise<unknown>> = [];
    for (const sessionId of sessions) {
      const lease = owners.get(sessionId) ?? null;
      const known = this.#owners.get(sessionId);
      if (!lease) {
        this.#owners.delete(sessionId);
        // The sessions of a dead owner are claimed and loaded side by side, not one after the other.
        claims.push(
          this.#claim(sessionId).catch((err: unknown) => {
            if (!(err instanceof PreauError)) throw err;
            this.#log.info({ sessionId, code: err.code }, 'session not taken over');
          }),
        );
        continue;
      }
      if (lease.node !== this.node) {
        if (known?.epoch !== lease.epoch) this.#owners.set(sessionId, lease);
      } else if (this.leases.held(sessionId)?.epoch !== lease.epoch) continue;
      this.#rebind(sessionId, lease, bySession.get(sessionId));
    }
    await Promise.all(claims);
    const nodes = new Set([...this.#remote.values()].map((r) => r.node));
    for (const node of nodes) {
      if ((await this.#deps.redis.exists(NODE_KEY + node)) === 1) continue;
      this.#log.warn({ node }, 'classroom node gone; its sockets count as dropped');
      for (const [socketId, remote] of [...this.#remote]) {
        if (remote.node !== node) continue;
        this.#remote.delete(socketId);
        if (this.leases.held(remote.ctx.sessionId)?.epoch !== remote.epoch) continue;
        this.#remoteClosed(
          remote.ctx.sessionId,
          socketId,
          remote.ctx.actor.participantId,
          false,
          remote,
        );
      }
    }
  }
}
