import { createServer, type Server } from 'node:http';
import {
  type Audience,
  type CapabilityClaims,
  CLASSROOM_SOCKET_PATH,
  type ClassroomClientToServer,
  type ClassroomServerToClient,
  type ClientEventName,
  type ClientRequest,
  type ClientResponse,
  classSpaceId,
  PROTOCOL_VERSION,
  type Result,
  SPACE_CHAT_NAMESPACE,
  type SpaceChatClientToServer,
  type SpaceChatEventName,
  type SpaceChatRequest,
  type SpaceChatResponse,
  type SpaceChatServerToClient,
} from '@preau/protocol';
import {
  createCapabilityVerifier,
  generateSigningKey,
  type Logger,
  mintCapability,
  silentLogger,
} from '@preau/protocol/server';
import type { SfuApi } from '@preau/sfu';
import {
  type Database,
  type Fanout,
  insertSpace,
  openDatabase,
  putMember,
  seedDemoDirectory,
  startLiveSession,
} from '@preau/storage';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { AdmissionLimits } from '../admission';
import { type ClassroomServer, createClassroomServer } from '../createClassroomServer';
import type { RateRule } from '../handlers/RateLimiter';
import type { RecordingDeps } from '../recording/SessionRecording';
import { newId } from '../session/LiveSession';
import type { SessionTimeouts } from '../session/types';

/** A typed socket.io client of live sessions. */
export type ClassroomSocket = Socket<ClassroomServerToClient, ClassroomClientToServer>;

/** A typed socket.io client of a space's persistent chat. */
export type SpaceChatSocket = Socket<SpaceChatServerToClient, SpaceChatClientToServer>;

/** A classroom server on a free loopback port, with an in-memory database and its own signing key. */
export interface Harness {
  url: string;
  database: Database;
  classroom: ClassroomServer;
  /** Mints a token; `audience` defaults to preau:classroom, `ttlSeconds` to 60. */
  mint(claims: CapabilityClaims, audience?: Audience, ttlSeconds?: number): Promise<string>;
  /** Starts a live session in a class's space. */
  startSession(classId: string, teacher: string): Promise<string>;
  /** Connects a client; resolves when connected, rejects with the connect_error. */
  connect(auth: Record<string, unknown>): Promise<ClassroomSocket>;
  /** Connects a person of a class with a fresh token (60 s unless told) and joins the session. */
  join(sessionId: string, claims: CapabilityClaims, ttlSeconds?: number): Promise<ClassroomSocket>;
  /** Connects to the chat of the space named in `claims` with a fresh token (60 s unless told). */
  spaceChat(claims: CapabilityClaims, ttlSeconds?: number): Promise<SpaceChatSocket>;
  close(): Promise<void>;
}

/** Claims of a person in a class. */
export function person(
  sub: string,
  classId: string,
  kind: 'teacher' | 'student',
  extra: Partial<CapabilityClaims> = {},
): CapabilityClaims {
  return {
    sub,
    name: `${kind === 'teacher' ? 'Mme' : 'Élève'} ${sub}`,
    profiles: [{ uai: '0350001A', kind }],
    space: classSpaceId(classId),
    // As the directory grants them (storage/src/identity/access.ts).
    rights:
      kind === 'teacher' ? ['read', 'write', 'moderate', 'present'] : ['read', 'write', 'present'],
    ...extra,
  };
}

/** Starts a classroom server alone (no web app) for integration tests. */
export async function startHarness(
  opts: {
    sfu?: SfuApi | null;
    timeouts?: Partial<SessionTimeouts>;
    fanout?: Fanout;
    rateRules?: Partial<Record<string, RateRule>>;
    recording?: RecordingDeps;
    admission?: Partial<AdmissionLimits>;
    /** Where the server logs (silent unless given: a test that reads logs gives its own). */
    log?: Logger;
  } = {},
): Promise<Harness> {
  const log = opts.log ?? silentLogger();
  const database = await openDatabase({ memory: true }, log);
  const key = await generateSigningKey('k1');
  const issuer = 'preau-test';
  const verifier = createCapabilityVerifier({
    issuer,
    audience: 'preau:classroom',
    jwks: { keys: [key.publicJwk] },
  });
  const classroom = createClassroomServer({
    db: database.db,
    verifier,
    sfu: opts.sfu ?? null,
    log,
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
    ...(opts.fanout ? { fanout: opts.fanout } : {}),
    ...(opts.rateRules ? { rateRules: opts.rateRules } : {}),
    ...(opts.recording ? { recording: opts.recording } : {}),
    // A test machine's own load must not refuse the tests' clients: the loop criterion is admission.test.ts's.
    admission: { maxLoopDelayMs: 600_000, ...opts.admission },
  });
  await classroom.ready;
  const server: Server = createServer();
  classroom.attach(server);
  server.on('upgrade', (req, socket, head) => classroom.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const sockets: ClassroomSocket[] = [];
  const chatSockets: SpaceChatSocket[] = [];
  const harness: Harness = {
    url,
    database,
    classroom,
    mint: (claims, audience = 'preau:classroom', ttlSeconds = 60) =>
      mintCapability(key, { issuer, audience, ttlSeconds }, claims),
    startSession: async (classId, teacher) => {
      const { session } = await startLiveSession(database.db, {
        id: newId('ls'),
        space: classSpaceId(classId),
        classId,
        title: `Cours ${classId}`,
        createdBy: teacher,
      });
      return session.id;
    },
    connect: (auth) =>
      new Promise((resolve, reject) => {
        const socket: ClassroomSocket = connectClient(url, {
          path: CLASSROOM_SOCKET_PATH,
          transports: ['websocket'],
          reconnection: false,
          auth: { protocol: PROTOCOL_VERSION, ...auth },
          forceNew: true,
        });
        sockets.push(socket);
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', (err) => {
          socket.close();
          reject(err);
        });
      }),
    join: async (sessionId, claims, ttlSeconds) => {
      const socket = await harness.connect({
        token: await harness.mint(claims, 'preau:classroom', ttlSeconds),
        session: sessionId,
      });
      await call(socket, 'session.join', {});
      return socket;
    },
    spaceChat: async (claims, ttlSeconds) => {
      const token = await harness.mint(claims, 'preau:classroom', ttlSeconds);
      return new Promise((resolve, reject) => {
        const socket: SpaceChatSocket = connectClient(`${url}${SPACE_CHAT_NAMESPACE}`, {
          path: CLASSROOM_SOCKET_PATH,
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          auth: { token, protocol: PROTOCOL_VERSION },
        });
        chatSockets.push(socket);
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', (err) => {
          socket.close();
          reject(err);
        });
      });
    },
    close: async () => {
      for (const s of sockets) s.close();
      for (const s of chatSockets) s.close();
      await classroom.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
  return harness;
}

/** Sends one event and resolves with its ack. */
export function request<E extends ClientEventName>(
  socket: ClassroomSocket,
  event: E,
  payload: ClientRequest<E>,
): Promise<Result<ClientResponse<E>>> {
  const emit = socket.emit as unknown as (
    e: string,
    p: unknown,
    ack: (r: Result<ClientResponse<E>>) => void,
  ) => void;
  return new Promise((resolve) => emit.call(socket, event, payload, resolve));
}

/** Sends one event and returns its data, throwing on an error ack. */
export async function call<E extends ClientEventName>(
  socket: ClassroomSocket,
  event: E,
  payload: ClientRequest<E>,
): Promise<ClientResponse<E>> {
  const result = await request(socket, event, payload);
  if (!result.ok) throw new Error(`${event}: ${result.error.code} ${result.error.message ?? ''}`);
  return result.data;
}

/**
 * Seeds the demo directory and a work group `spaceId` whose owner (a demo
 * student) is connected to its chat with every right of the group, on a
 * token of `ttlSeconds`.
 */
export async function groupOwnerChat(
  h: Harness,
  spaceId: string,
  ttlSeconds?: number,
): Promise<SpaceChatSocket> {
  const { db } = h.database;
  await seedDemoDirectory(db);
  const { person_id: owner } = await db
    .selectFrom('profile')
    .select('person_id')
    .where('uai', '=', '0350042K')
    .where('kind', '=', 'student')
    .orderBy('person_id')
    .executeTakeFirstOrThrow();
  await insertSpace(db, {
    id: spaceId,
    kind: 'group',
    name: 'Exposé',
    uai: '0350042K',
    projectId: null,
    createdBy: owner,
  });
  await putMember(db, { spaceId, personId: owner, role: 'owner', by: owner });
  return h.spaceChat(
    {
      sub: owner,
      name: 'Élève',
      profiles: [{ uai: '0350042K', kind: 'student' }],
      space: spaceId,
      rights: ['read', 'write', 'present', 'moderate'],
    },
    ttlSeconds,
  );
}

/** Sends one event of a space's chat and resolves with its ack. */
export function spaceChatRequest<E extends SpaceChatEventName>(
  socket: SpaceChatSocket,
  event: E,
  payload: SpaceChatRequest<E>,
): Promise<Result<SpaceChatResponse<E>>> {
  const emit = socket.emit as unknown as (e: string, p: unknown, ack: (r: never) => void) => void;
  return new Promise((resolve) => emit.call(socket, event, payload, resolve));
}

/** Collects every server event a socket receives, for assertions. */
export function recorder(socket: ClassroomSocket) {
  const events: Array<{ event: string; payload: unknown }> = [];
  socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
  return {
    events,
    of: <T = unknown>(name: string) =>
      events.filter((e) => e.event === name).map((e) => e.payload as T),
  };
}
