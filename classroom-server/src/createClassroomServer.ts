import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CLASSROOM_LIMITS,
  CLASSROOM_SOCKET_PATH,
  ClientEventSchemas,
  LIVE_SESSION_ENDED_CHANNEL,
  LiveSessionEndedNotice,
  MEMBERSHIP_CHANNEL,
  MembershipChange,
  PERSON_ERASED_CHANNEL,
  PersonErasedNotice,
  SPACE_CHAT_NAMESPACE,
} from '@preau/protocol';
import { background, type CapabilityVerifier, type Logger } from '@preau/protocol/server';
import type { SfuApi } from '@preau/sfu';
import type { Fanout, Schema } from '@preau/storage';
import type { Kysely } from 'kysely';
import { Server, type ServerOptions } from 'socket.io';
import { Admission, type AdmissionLimits } from './admission';
import { type LiveClusterSettings, startLiveCluster } from './cluster/cluster';
import { SocketCredentials } from './credentials';
import { breakoutHandlers } from './handlers/breakouts.handlers';
import { chatHandlers } from './handlers/chat.handlers';
import { type AnyHandler, runHandler, type SocketContext } from './handlers/defineHandler';
import { floorHandlers } from './handlers/floor.handlers';
import { handsHandlers } from './handlers/hands.handlers';
import { mediaHandlers } from './handlers/media.handlers';
import { moderationHandlers } from './handlers/moderation.handlers';
import { pollsHandlers } from './handlers/polls.handlers';
import { RateLimiter, type RateRule } from './handlers/RateLimiter';
import { sessionHandlers } from './handlers/session.handlers';
import { limitUnknownEvents } from './handlers/unknownEvents';
import { authenticate, refusal } from './handshake';
import { presentationHandlers } from './presentation/presentation.handlers';
import { recordingHandlers } from './recording/recording.handlers';
import type { RecordingDeps } from './recording/SessionRecording';
import { startIdleSweep } from './session/IdleSessions';
import { SessionRegistry } from './session/SessionRegistry';
import { DEFAULT_TIMEOUTS, type SessionTimeouts } from './session/types';
import { nodeWriters } from './session/writers';
import { type ClassroomIo, socketOutbox } from './socketOutbox';
import { mountSpaceChat, type SpaceChatNamespace } from './spaceChat/mountSpaceChat';

/** What the classroom server is built from; nothing global. */
export interface ClassroomServerDeps {
  db: Kysely<Schema>;
  /** Verifies capability tokens of audience `preau:classroom`. */
  verifier: CapabilityVerifier;
  /** The SFU (in process or remote); null serves sessions without media. */
  sfu: SfuApi | null;
  /** Object storage and ffmpeg for recordings; without it sessions do not record. */
  recording?: RecordingDeps;
  log: Logger;
  /** Where the directory announces membership changes; they reach live sessions at once. */
  fanout?: Fanout;
  timeouts?: Partial<SessionTimeouts>;
  rateRules?: Partial<Record<string, RateRule>>;
  /** What this node takes before it answers `busy` (admission.ts has the defaults). */
  admission?: Partial<AdmissionLimits>;
  path?: string;
  /** Several classroom nodes over one Redis; unset, this process holds every session alone. */
  cluster?: LiveClusterSettings;
}

/** A running classroom server. */
export interface ClassroomServer {
  readonly io: ClassroomIo;
  readonly registry: SessionRegistry;
  /** The node's admission control: its limits and what it carries now. */
  readonly admission: Admission;
  readonly path: string;
  /** Resolves once the server listens to membership changes and erasures. */
  readonly ready: Promise<void>;
  /** Serves the socket.io path on an HTTP server (long-polling requests); upgrades go through `handleUpgrade`. */
  attach(server: HttpServer): void;
  /** Takes over a WebSocket upgrade on the socket.io path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every session and socket; idempotent. */
  close(): Promise<void>;
}

/** Per-socket rates: a burst, then a steady pace. Joining a class of 30 takes ~200 media calls. */
export const DEFAULT_RATE_RULES: Record<string, RateRule> = {
  session: { capacity: 5, perSecond: 0.5 },
  chat: { capacity: 5, perSecond: 1 },
  hands: { capacity: 4, perSecond: 0.5 },
  moderation: { capacity: 20, perSecond: 2 },
  media: { capacity: 300, perSecond: 50 },
  // Events the protocol does not know: a stale client may send a few, nothing sends many.
  unknown: { capacity: 5, perSecond: 0.5 },
  read: { capacity: 10, perSecond: 2 },
};

const HANDLERS: readonly AnyHandler[] = [
  ...sessionHandlers,
  ...chatHandlers,
  ...handsHandlers,
  ...moderationHandlers,
  ...mediaHandlers,
  ...pollsHandlers,
  ...floorHandlers,
  ...breakoutHandlers,
  ...recordingHandlers,
  ...presentationHandlers,
];

/**
 * Creates the live-session server: socket.io with the protocol's event maps,
 * the handshake checking each capability token before anything is allocated,
 * and one handler per event behind the edge checks.
 */
export function createClassroomServer(deps: ClassroomServerDeps): ClassroomServer {
  const log = deps.log.child({ module: 'classroom' });
  const path = deps.path ?? CLASSROOM_SOCKET_PATH;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const rules = { ...DEFAULT_RATE_RULES, ...deps.rateRules } as Record<string, RateRule>;
  // Across nodes: socket.io's adapter on Redis, session leases and forwarding.
  const cluster = deps.cluster
    ? startLiveCluster(deps.cluster, { db: deps.db, log, handlers: HANDLERS })
    : null;
  const io: ClassroomIo = new Server({
    ...(cluster ? { adapter: cluster.adapter as ServerOptions['adapter'] } : {}),
    path,
    serveClient: false,
    maxHttpBufferSize: CLASSROOM_LIMITS.frameBytes,
    // A connection must authenticate within this time or is dropped (caps pre-auth sockets).
    connectTimeout: 10_000,
    // Detects a dropped network within ~10 s on either side.
    pingInterval: 5_000,
    pingTimeout: 5_000,
    // Upgrades are routed by the caller's server; ours must not destroy the others'.
    destroyUpgrade: false,
  });

  // Spaces' chats, outside live sessions: their own namespace on the same path.
  // The node's writers: chat messages and hands of every session and space, in batches.
  const writers = nodeWriters(deps.db);
  const spaceChat = mountSpaceChat(io.of(SPACE_CHAT_NAMESPACE) as unknown as SpaceChatNamespace, {
    db: deps.db,
    writers,
    verifier: deps.verifier,
    log,
    rules,
    tokenGraceMs: timeouts.tokenGraceMs,
    ...(deps.fanout ? { fanout: deps.fanout } : {}),
  });
  const registry = new SessionRegistry({
    db: deps.db,
    writers,
    sfu: deps.sfu,
    ...(deps.recording ? { recording: deps.recording } : {}),
    log,
    timeouts,
    ...(cluster ? { onClosed: (sessionId: string) => cluster.live.sessionClosed(sessionId) } : {}),
    outboxFor: (sessionId, space) => {
      // A live session's chat is its space's chat: those reading it outside the session see it too.
      const outbox = cluster
        ? cluster.outbox(socketOutbox(io, sessionId))
        : socketOutbox(io, sessionId);
      return {
        ...outbox,
        broadcast: (event, payload, exceptSocket) => {
          outbox.broadcast(event, payload, exceptSocket);
          spaceChat.relayLive(space, sessionId, event, payload);
        },
      };
    },
  });

  const admission = new Admission(deps.admission);
  const live = cluster?.live.attach(io, registry, admission) ?? null;

  io.use((socket, next) => {
    // A full node says so before spending anything on the token.
    let release: () => void;
    try {
      release = admission.admitConnection();
    } catch (err) {
      return next(refusal(err));
    }
    // Whichever ends first: the namespace's socket or its transport (a client gone mid-handshake).
    socket.conn.once('close', release);
    // Across nodes, only the session's owner loads it; the others read it from the database.
    authenticate(socket.handshake.auth, deps.verifier, live ?? registry).then(
      (data) => {
        socket.data = data;
        socket.once('disconnect', release);
        next();
      },
      (err: unknown) => {
        release();
        log.debug({ err }, 'connection refused');
        next(refusal(err));
      },
    );
  });

  io.on('connection', (socket) => {
    const { claims, sessionId } = socket.data;
    const outbox = socketOutbox(io, sessionId);
    const credentials = new SocketCredentials(claims, {
      verify: deps.verifier,
      sessionId,
      graceMs: timeouts.tokenGraceMs,
      onLapse: () => {
        log.info(
          { sessionId, participant: claims.sub },
          'token lapsed unrenewed; putting the socket out',
        );
        outbox.kick(socket.id, 'expired');
      },
    });
    const ctx: SocketContext = {
      credentials,
      reconnect: () => outbox.reconnect(socket.id),
      actor: {
        participantId: claims.sub,
        name: claims.name,
        // A co-teacher holds the moderators' rights in this session only, as long as it lasts.
        get rights() {
          return (
            registry.loadedNow(sessionId)?.floor.rightsOf(claims.sub, claims.rights) ??
            claims.rights
          );
        },
        socketId: socket.id,
      },
      sessionId,
      registry,
      admission,
      session: null,
    };
    live?.track(ctx);
    const limiter = new RateLimiter(rules);
    const known = new Set<string>(HANDLERS.map((h) => h.event));
    for (const handler of HANDLERS) {
      // A token is renewed where its socket is; every other event runs where the session runs.
      const here = !live || handler.event === 'session.renew';
      socket.on(handler.event, (async (...args: unknown[]) => {
        const ack = args.at(-1);
        if (typeof ack !== 'function') return;
        const payload = args.length > 1 ? args[0] : undefined;
        ack(
          here
            ? await runHandler(handler as never, ctx, limiter, payload, log)
            : await live.dispatch(handler, ctx, limiter, payload),
        );
      }) as never);
    }
    limitUnknownEvents(socket, known, limiter, () =>
      log.info({ sessionId, participant: claims.sub }, 'too many unknown events; disconnecting'),
    );
    socket.on('disconnect', (reason) => {
      credentials.dispose();
      const deliberate = reason === 'client namespace disconnect';
      const here = () => {
        // Someone waiting to be admitted leaves the queue.
        registry.loadedNow(sessionId)?.floor.socketClosed(socket.id);
        const session = ctx.session;
        if (!session) return;
        background(log, 'socket closed', session.socketClosed(socket.id, claims.sub, deliberate));
      };
      if (live) live.socketClosed(ctx, deliberate, here);
      else here();
    });
  });

  const membership = deps.fanout?.subscribe(MEMBERSHIP_CHANNEL, (message) => {
    const change = MembershipChange.safeParse(safeJson(message));
    if (!change.success) return log.warn('unreadable membership change');
    for (const session of registry.inSpace(change.data.space)) {
      background(
        log,
        'membership change',
        session.membershipChanged(change.data.person, change.data.change),
      );
    }
  });

  const erasures = deps.fanout?.subscribe(PERSON_ERASED_CHANNEL, (message) => {
    const notice = PersonErasedNotice.safeParse(safeJson(message));
    if (!notice.success) return log.warn('unreadable erasure notice');
    for (const session of registry.all()) {
      background(log, 'erasure', session.chat.forgetAuthor(notice.data.person));
      background(log, 'erasure', session.breakouts.forgetAuthor(notice.data.person));
    }
  });

  // A session ended outside its room (a teacher started another, an idle sweep): put its people out.
  const ended = deps.fanout?.subscribe(LIVE_SESSION_ENDED_CHANNEL, (message) => {
    const notice = LiveSessionEndedNotice.safeParse(safeJson(message));
    if (!notice.success) return log.warn('unreadable session end notice');
    const session = registry.loadedNow(notice.data.session);
    if (session) {
      background(log, 'outside end', session.endedElsewhere(new Date(notice.data.endedAt)));
    }
  });
  const stopSweep = startIdleSweep({
    db: deps.db,
    registry,
    log,
    fanout: deps.fanout,
    timeouts,
    ...(live ? { runsElsewhere: (id: string) => live.runsAnywhere(id) } : {}),
  });

  let closing: Promise<void> | undefined;
  return {
    io,
    registry,
    admission,
    path,
    ready: Promise.all([membership, erasures, ended, spaceChat.ready, live?.start()]).then(
      () => undefined,
    ),
    attach(server) {
      const before = new Set(server.listeners('upgrade'));
      io.attach(server);
      // engine.io adds its own upgrade listener; the caller's router hands us our upgrades instead.
      for (const listener of server.listeners('upgrade')) {
        if (!before.has(listener)) server.off('upgrade', listener as (...a: unknown[]) => void);
      }
    },
    handleUpgrade(req, socket, head) {
      io.engine.handleUpgrade(req, socket, head);
    },
    close() {
      closing ??= (async () => {
        stopSweep();
        admission.close();
        if (membership) await (await membership)();
        if (erasures) await (await erasures)();
        if (ended) await (await ended)();
        await spaceChat.close();
        // Across nodes, sessions go on elsewhere rather than close.
        await live?.handOver();
        await registry.close();
        await live?.close();
        // This node's sockets only (with an adapter, `io.disconnectSockets` reaches every node).
        io.local.disconnectSockets(true);
        // Not io.close(): it would also close the HTTP server, which belongs to the caller.
        await io.of('/').adapter.close();
        if (cluster) {
          await io.of(SPACE_CHAT_NAMESPACE).adapter.close();
          await cluster.close();
        }
        io.engine?.close();
      })();
      return closing;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The socket.io events a client may send, for documentation and tests. */
export const CLIENT_EVENTS = Object.keys(ClientEventSchemas);
