import { createServer, type Server } from 'node:http';
import {
  type CapabilityClaims,
  type ChatMessage,
  CLASSROOM_SOCKET_PATH,
  PROTOCOL_VERSION,
  type SessionSnapshot,
} from '@preau/protocol';
import { generateSigningKey, mintCapability, silentLogger } from '@preau/protocol/server';
import {
  type Database,
  listAttendance,
  listHands,
  openDatabase,
  readOutbox,
  startLiveSession,
} from '@preau/storage';
import { io as connectClient } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../tests/support/postgres';
import { type ServiceProcess, startService } from '../../tests/support/service';
import { newId } from './session/LiveSession';
import { type ClassroomSocket, person, request } from './test/harness';

const ISSUER = 'preau-kill';
const CLASS = '3eK';
const SPACE = `class_${CLASS}`;

/** A participant's browser as the live page runs it: reconnects by itself and joins again. */
interface Client {
  socket: ClassroomSocket;
  /** Every successful join: when, and what it answered. */
  joins: Array<{ at: number; snapshot: SessionSnapshot }>;
}

/** Sends a chat message; its data once acknowledged, or null (refused, or no answer in time). */
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

describe('classroom server killed with SIGKILL during a lesson', () => {
  let pg: TestPostgres | undefined;
  let database: Database | undefined;
  let jwks: Server | undefined;
  const processes: ServiceProcess[] = [];
  const clients: ClassroomSocket[] = [];
  afterAll(async () => {
    for (const s of clients) s.close();
    for (const p of processes) await p.stop();
    jwks?.close();
    await database?.close();
    await pg?.stop();
  });

  it('keeps every acknowledged message, hand and teacher act; everyone is back within 5 s', {
    timeout: 240_000,
  }, async () => {
    pg = await startPostgres();
    database = await openDatabase({ url: pg.url }, silentLogger());
    const { db } = database;
    const sessionId = (
      await startLiveSession(db, {
        id: newId('ls'),
        space: SPACE,
        classId: CLASS,
        title: 'Cours',
        createdBy: 'prof',
      })
    ).session.id;

    // Web's JWKS, as the standalone classroom server fetches it.
    const key = await generateSigningKey('kill');
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks!.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`;

    const env = {
      HOST: '127.0.0.1',
      DATABASE_URL: pg.url,
      TOKEN_ISSUER: ISSUER,
      JWKS_URL: jwksUrl,
      SFU_WORKERS: '1',
    };
    const started = (e: Record<string, unknown>) => e.msg === 'classroom server started';
    const start = async (port: string) => {
      const p = await startService('classroom-server/src/main.ts', { ...env, PORT: port }, started);
      processes.push(p);
      return p;
    };
    const first = await start('0');
    const port = String(first.ready.port);
    const url = `http://127.0.0.1:${port}`;

    const client = (claims: CapabilityClaims): Promise<Client> => {
      const joins: Client['joins'] = [];
      const socket: ClassroomSocket = connectClient(url, {
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
      clients.push(socket);
      return new Promise((resolve, reject) => {
        socket.on('connect', () => {
          request(socket, 'session.join', {}).then((r) => {
            if (!r.ok) return reject(new Error(`join: ${r.error.code}`));
            joins.push({ at: Date.now(), snapshot: r.data });
            if (joins.length === 1) resolve({ socket, joins });
          }, reject);
        });
      });
    };
    const teacher = await client(person('prof', CLASS, 'teacher'));
    const alice = await client(person('alice', CLASS, 'student'));
    const bob = await client(person('bob', CLASS, 'student'));
    const carol = await client(person('carol', CLASS, 'student'));

    // Teacher acts and a hand, each acknowledged before the crash.
    expect(await request(teacher.socket, 'moderation.lock', { locked: true })).toEqual({
      ok: true,
      data: {},
    });
    expect((await request(alice.socket, 'hand.raise', {})).ok).toBe(true);
    expect(
      (await request(teacher.socket, 'moderation.remove', { participantId: 'carol' })).ok,
    ).toBe(true);
    await expect.poll(() => carol.socket.connected).toBe(false);

    // Both students chat on; the server is killed while messages are in flight.
    const acked: ChatMessage[] = [];
    let sent = 0;
    let chatting = true;
    const chatter = async (c: Client, who: string) => {
      while (chatting) {
        sent += 1;
        const r = await sendWithin(c.socket, `${who} ${sent}`, 3000);
        if (r) acked.push(r);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    };
    const chatting1 = chatter(alice, 'alice');
    const chatting2 = chatter(bob, 'bob');
    await expect.poll(() => acked.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    const joinsBefore = [teacher, alice, bob].map((c) => c.joins.length);
    await first.crash();
    const ackedAtKill = acked.length;
    chatting = false;
    await Promise.all([chatting1, chatting2]);
    expect(acked.length).toBe(ackedAtKill);

    // A supervisor starts it again on the same port.
    const second = await start(port);
    const back = second.readyAt;
    await expect
      .poll(() => [teacher, alice, bob].map((c, i) => c.joins.length > joinsBefore[i]!), {
        timeout: 15_000,
        interval: 50,
      })
      .toEqual([true, true, true]);
    for (const c of [teacher, alice, bob]) {
      expect(c.joins.at(-1)!.at - back).toBeLessThan(5000);
    }

    // The same session, its policy, its hand and its chat, as the rejoin answered;
    // each person's stay goes on (resumed, as after a dropped connection).
    const snapshot = alice.joins.at(-1)!.snapshot;
    expect([teacher, alice, bob].map((c) => c.joins.at(-1)!.snapshot.resumed)).toEqual([
      true,
      true,
      true,
    ]);
    expect(snapshot.session).toMatchObject({ sessionId, phase: 'live', locked: true });
    expect(snapshot.hands.map((h) => h.participantId)).toEqual(['alice']);
    expect(snapshot.participants.map((p) => p.participantId).sort()).toEqual([
      'alice',
      'bob',
      'prof',
    ]);
    const shown = new Set(snapshot.chat.map((m) => m.messageId));
    for (const m of acked) expect(shown.has(m.messageId), m.text).toBe(true);
    // The removed student stays out.
    const again = await client(person('carol', CLASS, 'student')).then(
      () => 'joined',
      (err: Error) => err.message,
    );
    expect(again).toBe('join: forbidden');

    // In the database and the trace log.
    const stored = await db
      .selectFrom('live_chat_message')
      .select('id')
      .where('session_id', '=', sessionId)
      .execute();
    const storedIds = new Set(stored.map((r) => r.id));
    for (const m of acked) expect(storedIds.has(m.messageId), m.text).toBe(true);
    expect((await listHands(db, sessionId)).map((h) => h.personId)).toEqual(['alice']);
    const stays = await listAttendance(db, sessionId);
    for (const who of ['prof', 'alice', 'bob']) {
      expect(stays.filter((s) => s.personId === who).map((s) => s.leftAt)).toEqual([null]);
    }
    expect(stays.find((s) => s.personId === 'carol')?.leaveReason).toBe('removed');
    const traces = await readOutbox(db, SPACE, 0, 10_000);
    const traced = new Set(traces.filter((t) => t.kind === 'chat.message').map((t) => t.subject));
    for (const m of acked) expect(traced.has(m.messageId), m.text).toBe(true);
    const acts = traces
      .filter((t) => t.kind === 'session.moderation')
      .map((t) => (t.payload as { action: string }).action);
    expect(acts).toEqual(expect.arrayContaining(['lock', 'remove']));

    // And it goes on: a message after the restart is delivered to the others.
    const heard = new Promise<ChatMessage>((resolve) =>
      teacher.socket.once('chat.message', resolve),
    );
    const after = await request(bob.socket, 'chat.send', { text: 'de retour' });
    expect(after.ok).toBe(true);
    expect((await heard).text).toBe('de retour');
    // Once the lesson ends, its hands are not kept.
    expect((await request(teacher.socket, 'session.end', {})).ok).toBe(true);
    expect(await listHands(db, sessionId)).toEqual([]);
  });
});
