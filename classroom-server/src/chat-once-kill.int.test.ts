import { createServer, type Server } from 'node:http';
import {
  type CapabilityClaims,
  type ChatMessage,
  CLASSROOM_SOCKET_PATH,
  PROTOCOL_VERSION,
  type SessionSnapshot,
} from '@preau/protocol';
import { generateSigningKey, mintCapability, silentLogger } from '@preau/protocol/server';
import { type Database, openDatabase, readOutbox, startLiveSession } from '@preau/storage';
import { io as connectClient } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../tests/support/postgres';
import { type ServiceProcess, startService } from '../../tests/support/service';
import { newId } from './session/LiveSession';
import { type ClassroomSocket, person, request } from './test/harness';

const ISSUER = 'preau-chat-once-kill';
const CLASS = '4eK';
const SPACE = `class_${CLASS}`;

// A message committed whose ack never reached the page (the server is killed
// with SIGKILL right after the commit), sent again by the page with the same
// client id once it has reconnected to the restarted server: stored, traced
// and broadcast once, and the resend is answered with the stored message.
describe('a chat message whose ack died with the server', () => {
  let pg: TestPostgres | undefined;
  let database: Database | undefined;
  let jwks: Server | undefined;
  const processes: ServiceProcess[] = [];
  const sockets: ClassroomSocket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const p of processes) await p.stop();
    jwks?.close();
    await database?.close();
    await pg?.stop();
  });

  it('is stored once when the page sends it again after reconnecting', {
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
    const key = await generateSigningKey('kill');
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks!.listen(0, '127.0.0.1', resolve));
    const env = {
      HOST: '127.0.0.1',
      DATABASE_URL: pg.url,
      TOKEN_ISSUER: ISSUER,
      JWKS_URL: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json`,
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

    /** A page's socket: reconnects by itself and joins again, recording each join. */
    const client = (claims: CapabilityClaims) => {
      const joins: SessionSnapshot[] = [];
      const heard: ChatMessage[] = [];
      const socket: ClassroomSocket = connectClient(`http://127.0.0.1:${port}`, {
        path: CLASSROOM_SOCKET_PATH,
        transports: ['websocket'],
        reconnectionDelay: 250,
        reconnectionDelayMax: 1500,
        forceNew: true,
        auth: (cb) => {
          void mintCapability(
            key,
            { issuer: ISSUER, audience: 'preau:classroom', ttlSeconds: 300 },
            claims,
          ).then((token) => cb({ token, session: sessionId, protocol: PROTOCOL_VERSION }));
        },
      });
      sockets.push(socket);
      socket.on('chat.message', (m) => heard.push(m));
      socket.on('connect', () => {
        void request(socket, 'session.join', {}).then((r) => {
          if (r.ok) joins.push(r.data);
        });
      });
      return { socket, joins, heard };
    };
    const alice = client(person('alice', CLASS, 'student'));
    const bob = client(person('bob', CLASS, 'student'));
    await expect.poll(() => [alice.joins.length, bob.joins.length]).toEqual([1, 1]);

    // Alice sends; the answer never reaches her page (it does not wait for
    // it), and the server dies right after the commit.
    const clientId = 'c_before_the_crash';
    const payload = { text: 'Envoyé juste avant la panne', clientId };
    const lost = alice.socket.emit as unknown as (e: string, p: unknown, ack: () => void) => void;
    lost.call(alice.socket, 'chat.send', payload, () => {});
    const rows = () =>
      db.selectFrom('live_chat_message').select('id').where('client_id', '=', clientId).execute();
    await expect.poll(async () => (await rows()).length, { interval: 5 }).toBe(1);
    await first.crash();
    const [stored] = await rows();

    // Restarted on the same port; the pages come back and join again.
    await start(port);
    await expect
      .poll(() => [alice.joins.length, bob.joins.length], { timeout: 15_000, interval: 50 })
      .toEqual([2, 2]);
    const bobHeardBefore = bob.heard.filter((m) => m.text === payload.text).length;

    // The page sends what it had no answer for, with the same id.
    const again = await request(alice.socket, 'chat.send', payload);
    if (!again.ok) throw new Error(`resend: ${again.error.code}`);
    expect(again.data).toMatchObject({ messageId: stored!.id, text: payload.text });
    // A second resend (say, two reconnections) changes nothing either.
    const third = await request(alice.socket, 'chat.send', payload);
    expect(third.ok && third.data.messageId).toBe(stored!.id);

    expect(await rows()).toHaveLength(1);
    const traces = (await readOutbox(db, SPACE, 0, 10_000)).filter(
      (t) => t.kind === 'chat.message' && t.payload.text === payload.text,
    );
    expect(traces.map((t) => t.subject)).toEqual([stored!.id]);
    // Nothing new broadcast to the others; whoever joins reads it once.
    await request(alice.socket, 'chat.send', { text: 'Et après', clientId: 'c_after_the_crash' });
    await expect.poll(() => bob.heard.some((m) => m.text === 'Et après')).toBe(true);
    expect(bob.heard.filter((m) => m.text === payload.text)).toHaveLength(bobHeardBefore);
    const snapshot = await request(bob.socket, 'session.join', {});
    if (!snapshot.ok) throw new Error('join');
    expect(snapshot.data.chat.filter((m) => m.text === payload.text)).toHaveLength(1);
  });
});
