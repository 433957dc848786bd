import {
  type CapabilityClaims,
  type ChatMessage,
  CLASSROOM_SOCKET_PATH,
  classSpaceId,
  PROTOCOL_VERSION,
  type Result,
  SPACE_CHAT_NAMESPACE,
  type SpaceChatClientToServer,
  type SpaceChatMessage,
  type SpaceChatRequest,
  type SpaceChatServerToClient,
} from '@preau/protocol';
import { insertSpace, readOutbox, seedDemoDirectory } from '@preau/storage';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClassroomSocket,
  call,
  type Harness,
  person,
  recorder,
  request,
  startHarness,
} from './test/harness';

type ChatSocket = Socket<SpaceChatServerToClient, SpaceChatClientToServer>;

function sendToSpace(
  socket: ChatSocket,
  payload: SpaceChatRequest<'chat.send'>,
): Promise<Result<SpaceChatMessage>> {
  const emit = socket.emit as unknown as (e: string, p: unknown, ack: (r: never) => void) => void;
  return new Promise((resolve) => emit.call(socket, 'chat.send', payload, resolve));
}

const SPACE = 'group_chatonce';

// A message whose ack was lost is sent again with the same client id: the
// server answers with the stored message and writes, traces and broadcasts
// nothing new, whether the second send comes after the first or races it.
describe('a chat message sent twice is stored once', () => {
  let h: Harness;
  let sessionId: string;
  let lou: ClassroomSocket;
  let max: ClassroomSocket;
  const sockets: ChatSocket[] = [];
  const rowsOf = (clientId: string) =>
    h.database.db
      .selectFrom('live_chat_message')
      .select(['id', 'text'])
      .where('client_id', '=', clientId)
      .execute();
  const tracesOf = async (space: string, messageId: string) =>
    (await readOutbox(h.database.db, space)).filter(
      (t) => t.subject === messageId && t.kind === 'chat.message',
    );

  beforeAll(async () => {
    // Resends count against the rate like any send; this test sends more than a person would.
    h = await startHarness({ rateRules: { chat: { capacity: 100, perSecond: 100 } } });
    sessionId = await h.startSession('5eO', 'prof5');
    lou = await h.join(sessionId, person('lou', '5eO', 'student'));
    max = await h.join(sessionId, person('max', '5eO', 'student'));
    await seedDemoDirectory(h.database.db);
    await insertSpace(h.database.db, {
      id: SPACE,
      kind: 'group',
      name: 'Exposé marées',
      uai: '0350042K',
      projectId: null,
      createdBy: 'ana',
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await h?.close();
  });

  const openSpaceChat = async (c: CapabilityClaims): Promise<ChatSocket> => {
    const token = await h.mint(c);
    return new Promise((resolve, reject) => {
      const socket: ChatSocket = connectClient(`${h.url}${SPACE_CHAT_NAMESPACE}`, {
        path: CLASSROOM_SOCKET_PATH,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { token, protocol: PROTOCOL_VERSION },
      });
      sockets.push(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err) => reject(err));
    });
  };
  const member = (sub: string): CapabilityClaims => ({
    sub,
    name: `Élève ${sub}`,
    profiles: [{ uai: '0350042K', kind: 'student' }],
    space: SPACE,
    rights: ['read', 'write'],
  });

  it('live class, one after the other: one row, one trace, one broadcast, the same message', async () => {
    const seen = recorder(max);
    const clientId = 'c_live_sequential_1';
    const first = await call(lou, 'chat.send', { text: 'Page 12 ?', clientId });
    const again = await call(lou, 'chat.send', { text: 'Page 12 ?', clientId });
    expect(again).toEqual(first);
    // Another message after them still goes through, so the broadcasts below are all there are.
    const next = await call(lou, 'chat.send', { text: 'Merci', clientId: 'c_live_sequential_2' });
    await expect.poll(() => seen.of<ChatMessage>('chat.message').length).toBe(2);
    expect(seen.of<ChatMessage>('chat.message').map((m) => m.messageId)).toEqual([
      first.messageId,
      next.messageId,
    ]);
    expect(await rowsOf(clientId)).toEqual([{ id: first.messageId, text: 'Page 12 ?' }]);
    expect(await tracesOf(classSpaceId('5eO'), first.messageId)).toHaveLength(1);
    // Whoever joins reads it once.
    const snapshot = await call(max, 'session.join', {});
    expect(snapshot.chat.filter((m) => m.text === 'Page 12 ?')).toHaveLength(1);
  });

  it('live class, both at once: the same message id in both acks, stored and traced once', async () => {
    const seen = recorder(max);
    const clientId = 'c_live_concurrent_1';
    const [a, b] = await Promise.all([
      request(lou, 'chat.send', { text: 'En même temps', clientId }),
      request(lou, 'chat.send', { text: 'En même temps', clientId }),
    ]);
    if (!a.ok || !b.ok) throw new Error('a send was refused');
    expect(b.data.messageId).toBe(a.data.messageId);
    await call(lou, 'chat.send', { text: 'Fin', clientId: 'c_live_concurrent_2' });
    await expect.poll(() => seen.of<ChatMessage>('chat.message').length).toBe(2);
    expect(seen.of<ChatMessage>('chat.message')[0]?.messageId).toBe(a.data.messageId);
    expect(await rowsOf(clientId)).toHaveLength(1);
    expect(await tracesOf(classSpaceId('5eO'), a.data.messageId)).toHaveLength(1);
  });

  it('the same client id from another author is another message; without one, each send stores', async () => {
    const clientId = 'c_live_two_authors';
    const fromLou = await call(lou, 'chat.send', { text: 'Moi', clientId });
    const fromMax = await call(max, 'chat.send', { text: 'Moi aussi', clientId });
    expect(fromMax.messageId).not.toBe(fromLou.messageId);
    expect(await rowsOf(clientId)).toHaveLength(2);
    const old1 = await call(lou, 'chat.send', { text: 'Sans id' });
    const old2 = await call(lou, 'chat.send', { text: 'Sans id' });
    expect(old2.messageId).not.toBe(old1.messageId);
    const codes = [
      await request(lou, 'chat.send', { text: 'x', clientId: 'court' }),
      await request(lou, 'chat.send', { text: 'x', clientId: 'pas un id !' }),
    ].map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes).toEqual(['bad_request', 'bad_request']);
  });

  it('space chat, one after the other and at once: one row, one trace, one broadcast', async () => {
    const ana = await openSpaceChat(member('ana'));
    const bob = await openSpaceChat(member('bob'));
    const seen: SpaceChatMessage[] = [];
    bob.on('chat.message', (m) => seen.push(m));

    const sequential = 'c_space_sequential';
    const first = await sendToSpace(ana, { text: 'On se voit à 14 h', clientId: sequential });
    const again = await sendToSpace(ana, { text: 'On se voit à 14 h', clientId: sequential });
    if (!first.ok || !again.ok) throw new Error('a send was refused');
    expect(again.data).toEqual(first.data);

    const concurrent = 'c_space_concurrent';
    const [a, b] = await Promise.all([
      sendToSpace(ana, { text: 'Ensemble', clientId: concurrent }),
      sendToSpace(ana, { text: 'Ensemble', clientId: concurrent }),
    ]);
    if (!a.ok || !b.ok) throw new Error('a send was refused');
    expect(b.data.messageId).toBe(a.data.messageId);

    const last = await sendToSpace(ana, { text: 'Fin', clientId: 'c_space_last' });
    if (!last.ok) throw new Error('refused');
    await expect.poll(() => seen.length).toBe(3);
    expect(seen.map((m) => m.messageId)).toEqual([
      first.data.messageId,
      a.data.messageId,
      last.data.messageId,
    ]);
    expect(await rowsOf(sequential)).toHaveLength(1);
    expect(await rowsOf(concurrent)).toHaveLength(1);
    expect(await tracesOf(SPACE, first.data.messageId)).toHaveLength(1);
    expect(await tracesOf(SPACE, a.data.messageId)).toHaveLength(1);
  });
});
