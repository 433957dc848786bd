import { createServer, type Server } from 'node:http';
import {
  type CapabilityClaims,
  type ChatMessage,
  CLASSROOM_SOCKET_PATH,
  type HandView,
  type ParticipantView,
  PROTOCOL_VERSION,
  type ProducerView,
  type SessionSnapshot,
} from '@preau/protocol';
import { generateSigningKey, mintCapability, silentLogger } from '@preau/protocol/server';
import { opusParameters } from '@preau/sfu/testing';
import {
  type Database,
  listAttendance,
  listHands,
  openDatabase,
  readOutbox,
  startLiveSession,
} from '@preau/storage';
import { Redis } from 'ioredis';
import { io as connectClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startPostgres, type TestPostgres } from '../../tests/support/postgres';
import { startRedis, type TestRedis } from '../../tests/support/redis';
import { type ServiceProcess, startService } from '../../tests/support/service';
import { newId } from './session/LiveSession';
import { type ClassroomSocket, call, person, recorder, request } from './test/harness';

const ISSUER = 'preau-nodes';
const CLASS = '4eN';
const SPACE = `class_${CLASS}`;

/** A participant's browser: reconnects by itself (through the balancer: here, to a live node) and joins again. */
interface Client {
  socket: ClassroomSocket;
  joins: Array<{ at: number; snapshot: SessionSnapshot }>;
  events: ReturnType<typeof recorder>;
}

function sendWithin(
  socket: ClassroomSocket,
  text: string,
  ms: number,
): Promise<ChatMessage | null> {
  const target = socket.timeout(ms);
  const emit = target.emit as unknown as (
    e: string,
    p: unknown,
    ack: (err: Error | null, r: { ok: boolean; data?: ChatMessage }) => void,
  ) => void;
  return new Promise((resolve) =>
    emit.call(target, 'chat.send', { text }, (err, r) => resolve(!err && r.ok ? r.data! : null)),
  );
}

/** A classroom node process, and whether the balancer still sends clients to it. */
interface Node {
  process: ServiceProcess;
  url: string;
  alive: boolean;
}

describe('one live session across classroom nodes sharing Redis', () => {
  let pg: TestPostgres | undefined;
  let redis: TestRedis | undefined;
  let database: Database | undefined;
  let jwks: Server | undefined;
  let key: Awaited<ReturnType<typeof generateSigningKey>>;
  let env: Record<string, string>;
  const processes: ServiceProcess[] = [];
  const sockets: ClassroomSocket[] = [];
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    database = await openDatabase({ url: pg.url }, silentLogger());
    key = await generateSigningKey('nodes');
    // Web's JWKS, as standalone classroom servers fetch it.
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks!.listen(0, '127.0.0.1', resolve));
    env = {
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      TOKEN_ISSUER: ISSUER,
      JWKS_URL: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`,
      SFU_WORKERS: '1',
      // Admission control is not what this file tests: on a machine shared by
      // many processes a node's event loop lags, and a join answered `busy`
      // (node behind) would fail the test for the machine's sake.
      LIVE_MAX_LOOP_DELAY_MS: '10000',
    };
  }, 240_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const p of processes) await p.stop();
    jwks?.close();
    await database?.close();
    await pg?.stop();
    await redis?.stop();
  });

  const started = (e: Record<string, unknown>) => e.msg === 'classroom server started';
  const startNode = async (): Promise<Node> => {
    const p = await startService('classroom-server/src/main.ts', env, started);
    processes.push(p);
    return { process: p, url: `http://127.0.0.1:${String(p.ready.port)}`, alive: true };
  };
  const startSession = async (classId: string) =>
    (
      await startLiveSession(database!.db, {
        id: newId('ls'),
        space: `class_${classId}`,
        classId,
        title: 'Cours',
        createdBy: 'prof',
      })
    ).session.id;

  /** A participant's page connected first to `home`; the balancer sends its reconnections to a live node. */
  const connect = (
    nodes: Node[],
    sessionId: string,
    claims: CapabilityClaims,
    home: Node,
  ): Promise<Client> => {
    const joins: Client['joins'] = [];
    const socket: ClassroomSocket = connectClient(home.url, {
      path: CLASSROOM_SOCKET_PATH,
      transports: ['websocket'],
      // The live page's settings (web/src/lib/classroom/connection.ts).
      reconnectionDelay: 250,
      reconnectionDelayMax: 1500,
      randomizationFactor: 0.3,
      forceNew: true,
      // Each (re)connection carries a fresh token, as the page fetches one.
      auth: (cb) => {
        void mintCapability(
          key,
          { issuer: ISSUER, audience: 'preau:classroom', ttlSeconds: 300 },
          claims,
        ).then((token) => cb({ token, session: sessionId, protocol: PROTOCOL_VERSION }));
      },
    });
    socket.io.on('reconnect_attempt', () => {
      const manager = socket.io as unknown as { uri: string };
      if (!nodes.some((n) => n.alive && n.url === manager.uri)) {
        manager.uri = nodes.find((n) => n.alive)!.url;
      }
    });
    sockets.push(socket);
    const events = recorder(socket);
    return new Promise((resolve, reject) => {
      socket.on('connect', () => {
        request(socket, 'session.join', {}).then((r) => {
          if (!r.ok) return reject(new Error(`join: ${r.error.code} ${r.error.message ?? ''}`));
          joins.push({ at: Date.now(), snapshot: r.data });
          if (joins.length === 1) resolve({ socket, joins, events });
        }, reject);
      });
    });
  };

  it('serves roster, chat, hands, moderation and media across nodes, and survives the owner node’s death', {
    timeout: 300_000,
  }, async () => {
    const db = database!.db;
    const sessionId = await startSession(CLASS);
    const nodes = await Promise.all([startNode(), startNode()]);
    const [node1, node2] = nodes as [Node, Node];
    const client = (claims: CapabilityClaims, home: Node) =>
      connect(nodes, sessionId, claims, home);

    // The teacher on node 1 (which takes the session), the students on node 2.
    const teacher = await client(person('prof', CLASS, 'teacher'), node1);
    const alice = await client(person('alice', CLASS, 'student'), node2);
    const bob = await client(person('bob', CLASS, 'student'), node2);

    // Roster: each sees the others, whatever their node.
    expect(bob.joins[0]!.snapshot.participants.map((p) => p.participantId).sort()).toEqual([
      'alice',
      'bob',
      'prof',
    ]);
    await expect
      .poll(() =>
        teacher.events.of<ParticipantView>('participant.joined').map((p) => p.participantId),
      )
      .toEqual(['alice', 'bob']);

    // Chat from node 2 reaches node 1 and node 2; from node 1, node 2.
    const fromBob = await call(bob.socket, 'chat.send', { text: 'bonjour' });
    await expect
      .poll(() => teacher.events.of<ChatMessage>('chat.message').map((m) => m.text))
      .toEqual(['bonjour']);
    await expect
      .poll(() => alice.events.of<ChatMessage>('chat.message').map((m) => m.text))
      .toEqual(['bonjour']);
    await call(teacher.socket, 'chat.send', { text: 'bienvenue' });
    await expect
      .poll(() => bob.events.of<ChatMessage>('chat.message').map((m) => m.text))
      .toEqual(['bienvenue']);

    // Hands: raised on node 2, seen on node 1.
    await call(alice.socket, 'hand.raise', {});
    await expect
      .poll(() =>
        teacher.events
          .of<{ hands: HandView[] }>('hands.updated')
          .at(-1)
          ?.hands.map((h) => h.participantId),
      )
      .toEqual(['alice']);

    // Media signalling: a student on node 2 publishes through the owner's SFU; the teacher on node 1 consumes.
    const caps = alice.joins[0]!.snapshot.routerRtpCapabilities;
    expect(caps?.codecs?.length).toBeGreaterThan(0);
    await call(alice.socket, 'media.setCapabilities', { rtpCapabilities: caps! });
    await call(teacher.socket, 'media.setCapabilities', { rtpCapabilities: caps! });
    const send = await call(alice.socket, 'media.createTransport', { direction: 'send' });
    expect(send.iceCandidates.length).toBeGreaterThan(0);
    const mic = await call(alice.socket, 'media.produce', {
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: opusParameters(4242),
    });
    await expect
      .poll(() => teacher.events.of<ProducerView>('producer.added').map((p) => p.producerId))
      .toEqual([mic.producerId]);
    const recv = await call(teacher.socket, 'media.createTransport', { direction: 'recv' });
    const consumer = await call(teacher.socket, 'media.consume', {
      transportId: recv.id,
      producerId: mic.producerId,
    });
    expect(consumer).toMatchObject({ producerId: mic.producerId, kind: 'audio' });

    // Moderation from node 1 acts on a student of node 2; a student cannot moderate.
    await call(teacher.socket, 'moderation.mute', { participantId: 'alice' });
    await expect
      .poll(() => alice.events.of('moderation.applied'))
      .toEqual([{ action: 'mute', by: 'prof' }]);
    expect((await request(bob.socket, 'moderation.lock', { locked: true })).ok).toBe(false);
    // A student of node 2 removed from node 1 is told why and put out.
    const carol = await client(person('carol', CLASS, 'student'), node2);
    await call(teacher.socket, 'moderation.remove', { participantId: 'carol' });
    await expect.poll(() => carol.socket.connected).toBe(false);
    expect(carol.events.of('session.kicked')).toEqual([{ reason: 'removed' }]);
    await call(teacher.socket, 'moderation.lock', { locked: true });
    await expect
      .poll(() => alice.events.of<{ locked: boolean }>('session.updated').at(-1)?.locked)
      .toBe(true);

    // The owner (node 1) is killed while everyone chats.
    const acked: ChatMessage[] = [fromBob];
    let sent = 0;
    let chatting = true;
    const chatter = async (c: Client, who: string) => {
      while (chatting) {
        sent += 1;
        const r = await sendWithin(c.socket, `${who} ${sent}`, 3000);
        if (r) acked.push(r);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const chatters = [chatter(teacher, 'prof'), chatter(alice, 'alice'), chatter(bob, 'bob')];
    await expect.poll(() => acked.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
    const joinsBefore = [teacher, alice, bob].map((c) => c.joins.length);
    node1.alive = false;
    const killedAt = Date.now();
    await node1.process.crash();
    await expect
      .poll(() => [teacher, alice, bob].map((c, i) => c.joins.length > joinsBefore[i]!), {
        timeout: 20_000,
        interval: 50,
      })
      .toEqual([true, true, true]);
    const backWithin = Math.max(...[teacher, alice, bob].map((c) => c.joins.at(-1)!.at)) - killedAt;
    console.info(
      `every participant back in the session ${backWithin} ms after the owner node was killed`,
    );
    expect(backWithin).toBeLessThan(5000);
    // They keep chatting on the surviving node for a moment, then stop.
    const ackedBack = acked.length;
    await expect.poll(() => acked.length, { timeout: 10_000 }).toBeGreaterThan(ackedBack + 2);
    chatting = false;
    await Promise.all(chatters);

    // The same session, its lock, its hand, its people, every acknowledged message.
    for (const c of [teacher, alice, bob]) {
      const snapshot = c.joins.at(-1)!.snapshot;
      expect(snapshot.resumed).toBe(true);
      expect(snapshot.session).toMatchObject({ sessionId, phase: 'live', locked: true });
      expect(snapshot.hands.map((h) => h.participantId)).toEqual(['alice']);
      expect(snapshot.participants.map((p) => p.participantId).sort()).toEqual([
        'alice',
        'bob',
        'prof',
      ]);
    }
    const history = new Set(teacher.joins.at(-1)!.snapshot.chat.map((m) => m.messageId));
    const stored = await db
      .selectFrom('live_chat_message')
      .select('id')
      .where('session_id', '=', sessionId)
      .execute();
    const storedIds = new Set(stored.map((r) => r.id));
    const traces = await readOutbox(db, SPACE, 0, 10_000);
    const traced = new Set(traces.filter((t) => t.kind === 'chat.message').map((t) => t.subject));
    for (const m of acked) {
      expect(storedIds.has(m.messageId), m.text).toBe(true);
      expect(traced.has(m.messageId), m.text).toBe(true);
      // The rejoin's history holds what was acknowledged before the kill.
      if (new Date(m.sentAt).getTime() < killedAt)
        expect(history.has(m.messageId), m.text).toBe(true);
    }
    const acts = traces
      .filter((t) => t.kind === 'session.moderation')
      .map((t) => (t.payload as { action: string }).action);
    expect(acts).toEqual(expect.arrayContaining(['mute', 'lock', 'remove']));
    // The removed student stays out under the new owner.
    const refused = await client(person('carol', CLASS, 'student'), node2).then(
      () => 'joined',
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/^join: forbidden/);
    expect((await listHands(db, sessionId)).map((h) => h.personId)).toEqual(['alice']);

    // Media comes back through the new owner.
    const again = await call(alice.socket, 'media.createTransport', { direction: 'send' });
    expect(again.iceCandidates.length).toBeGreaterThan(0);

    // And it goes on: the teacher, now on node 2, hears a student.
    const heard = new Promise<ChatMessage>((resolve) =>
      teacher.socket.once('chat.message', resolve),
    );
    expect((await request(bob.socket, 'chat.send', { text: 'de retour' })).ok).toBe(true);
    expect((await heard).text).toBe('de retour');

    // A node drained (SIGTERM, as a rolling update does): its session moves to a new node, nobody is put out.
    nodes.push(await startNode());
    const joinsBeforeDrain = [teacher, alice, bob].map((c) => c.joins.length);
    node2.alive = false;
    const drainedAt = Date.now();
    const gone = new Promise((resolve) => node2.process.child.once('exit', resolve));
    node2.process.child.kill('SIGTERM');
    await expect
      .poll(() => [teacher, alice, bob].map((c, i) => c.joins.length > joinsBeforeDrain[i]!), {
        timeout: 20_000,
        interval: 50,
      })
      .toEqual([true, true, true]);
    const drainedWithin =
      Math.max(...[teacher, alice, bob].map((c) => c.joins.at(-1)!.at)) - drainedAt;
    console.info(`every participant back ${drainedWithin} ms after their node was drained`);
    expect(drainedWithin).toBeLessThan(5000);
    await gone;
    for (const c of [teacher, alice, bob]) {
      expect(c.events.of('session.kicked')).toEqual([]);
      const snapshot = c.joins.at(-1)!.snapshot;
      expect(snapshot.resumed).toBe(true);
      expect(snapshot.session).toMatchObject({ sessionId, phase: 'live', locked: true });
      expect(snapshot.chat.map((m) => m.text)).toContain('de retour');
    }
    // Nobody's stay was closed by the moves.
    const stays = await listAttendance(db, sessionId);
    for (const who of ['prof', 'alice', 'bob']) {
      expect(stays.filter((s) => s.personId === who).map((s) => s.leftAt)).toEqual([null]);
    }
    const heardAgain = new Promise<ChatMessage>((resolve) =>
      alice.socket.once('chat.message', resolve),
    );
    expect((await request(teacher.socket, 'chat.send', { text: 'toujours là' })).ok).toBe(true);
    expect((await heardAgain).text).toBe('toujours là');
    expect((await request(teacher.socket, 'session.end', {})).ok).toBe(true);
    expect(await listHands(db, sessionId)).toEqual([]);
  });

  it('counts the sockets of a dead node that only held sockets as dropped; they come back to the owner', {
    timeout: 300_000,
  }, async () => {
    const sessionId = await startSession('5eN');
    const nodes = await Promise.all([startNode(), startNode()]);
    const [owner, edge] = nodes as [Node, Node];
    const teacher = await connect(nodes, sessionId, person('prof', '5eN', 'teacher'), owner);
    const alice = await connect(nodes, sessionId, person('alice', '5eN', 'student'), edge);
    const bob = await connect(nodes, sessionId, person('bob', '5eN', 'student'), edge);
    const said = await call(alice.socket, 'chat.send', { text: 'avant' });
    await call(bob.socket, 'hand.raise', {});
    // Bob's page goes away with the node (it will not reconnect); Alice's comes back through the balancer.
    bob.socket.io.reconnection(false);
    edge.alive = false;
    const killedAt = Date.now();
    await edge.process.crash();
    await expect.poll(() => alice.joins.length, { timeout: 20_000, interval: 50 }).toBe(2);
    const backWithin = alice.joins[1]!.at - killedAt;
    console.info(`a student of the killed node back ${backWithin} ms later`);
    expect(backWithin).toBeLessThan(5000);
    const snapshot = alice.joins[1]!.snapshot;
    expect(snapshot.resumed).toBe(true);
    expect(snapshot.chat.map((m) => m.messageId)).toContain(said.messageId);
    // The owner saw Bob's connection drop: he is reconnecting (his place and hand kept for the grace).
    await expect
      .poll(
        () =>
          teacher.events
            .of<ParticipantView>('participant.updated')
            .filter((p) => p.participantId === 'bob')
            .at(-1)?.presence,
        { timeout: 10_000 },
      )
      .toBe('reconnecting');
    expect(snapshot.hands.map((h) => h.participantId)).toEqual(['bob']);
    // The session never moved: the teacher did not reconnect.
    expect(teacher.joins).toHaveLength(1);
    const heard = new Promise<ChatMessage>((resolve) => alice.socket.once('chat.message', resolve));
    await call(teacher.socket, 'chat.send', { text: 'après' });
    expect((await heard).text).toBe('après');
  });
  it('delivers each chat message once to every other member, whatever node the sender and the owner are on', {
    timeout: 300_000,
  }, async () => {
    const stats = new Redis(redis!.url);
    stats.on('error', () => undefined);
    onTestFinished(() => stats.disconnect());
    const redisCalls = async () => {
      const text = await stats.info('commandstats');
      return Object.fromEntries(
        [...text.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]),
      ) as Record<string, number>;
    };
    const diff = (a: Record<string, number>, b: Record<string, number>) =>
      Object.fromEntries(Object.entries(b).map(([k, n]) => [k, n - (a[k] ?? 0)])) as Record<
        string,
        number
      >;
    const nodes = await Promise.all([startNode(), startNode()]);
    for (const [ownerIndex, classId] of [
      [0, '6eN'],
      [1, '6eS'],
    ] as const) {
      const sessionId = await startSession(classId);
      const owner = nodes[ownerIndex]!;
      const other = nodes[1 - ownerIndex]!;
      // The teacher arrives first, so the session runs on her node; members on both nodes.
      const members = [
        {
          who: 'prof',
          client: await connect(nodes, sessionId, person('prof', classId, 'teacher'), owner),
        },
        {
          who: 'lina',
          client: await connect(nodes, sessionId, person('lina', classId, 'student'), owner),
        },
        {
          who: 'noe',
          client: await connect(nodes, sessionId, person('noe', classId, 'student'), other),
        },
        {
          who: 'ella',
          client: await connect(nodes, sessionId, person('ella', classId, 'student'), other),
        },
      ];
      // Everyone sends at once, from both nodes: three messages each.
      const texts = members.flatMap(({ who }) => [1, 2, 3].map((n) => `${who} ${n}`));
      const before = await redisCalls();
      await Promise.all(
        members.map(({ who, client }) =>
          Promise.all(
            [1, 2, 3].map((n) => call(client.socket, 'chat.send', { text: `${who} ${n}` })),
          ),
        ),
      );
      for (const { who, client } of members) {
        const expected = texts.filter((t) => !t.startsWith(`${who} `)).sort();
        const received = () =>
          client.events
            .of<ChatMessage>('chat.message')
            .map((m) => m.text)
            .sort();
        await expect.poll(received, { timeout: 10_000 }).toEqual(expected);
      }
      // What the twelve messages cost in Redis: no read of the owner per event
      // (one each before: at least twelve; forwarding nodes keep it, the
      // watcher reads owners with MGET, an owner whose renewal is late on a
      // loaded machine asks: 0–1 here idle, 5 at load 25), one broadcast
      // each, and a request and an answer for each forwarded one.
      const calls = diff(before, await redisCalls());
      expect(calls.get ?? 0).toBeLessThan(12);
      expect(calls.xadd).toBeGreaterThanOrEqual(12);
      expect(calls.publish).toBeGreaterThanOrEqual(12);
      // A late duplicate would arrive after the first copies: wait, then count again.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (const { who, client } of members) {
        const got = client.events.of<ChatMessage>('chat.message').map((m) => m.text);
        expect(got, `${who}, session owned by node ${ownerIndex + 1}`).toHaveLength(9);
        expect(new Set(got).size).toBe(9);
      }
      for (const { client } of members) client.socket.close();
    }
  });
});
