import {
  type CapabilityClaims,
  MEMBERSHIP_CHANNEL,
  NOTIFY_CHANNEL,
  type Notification,
  PERSON_ERASED_CHANNEL,
  type SpaceChatEventName,
  type SpaceChatMessage,
  type SpaceChatRequest,
  type SpaceChatResponse,
} from '@preau/protocol';
import {
  insertSpace,
  MemoryFanout,
  putMember,
  readOutbox,
  seedDemoDirectory,
  setSpaceState,
  startLiveSession,
  unreadCounts,
} from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call as callLive,
  type Harness,
  type SpaceChatSocket,
  spaceChatRequest,
  startHarness,
} from './test/harness';

const request = spaceChatRequest;

async function call<E extends SpaceChatEventName>(
  socket: SpaceChatSocket,
  event: E,
  payload: SpaceChatRequest<E>,
): Promise<SpaceChatResponse<E>> {
  const r = await request(socket, event, payload);
  if (!r.ok) throw new Error(`${event}: ${r.error.code}`);
  return r.data;
}

const SPACE = 'group_chatint';
const WRITER = ['read', 'write', 'present'] as const;

// A work group's chat outside any live session, over socket.io against a real
// classroom server: history, send, correct, delete, mentions, read markers,
// a removed member dropped at once, and a suspended space read-only.
describe('a space’s persistent chat', () => {
  let h: Harness;
  const fanout = new MemoryFanout();
  const notes: Notification[] = [];
  const people: string[] = [];
  const claims = (sub: string, rights: CapabilityClaims['rights'] = [...WRITER]) => ({
    sub,
    name: `Élève ${sub}`,
    profiles: [{ uai: '0350042K', kind: 'student' as const }],
    space: SPACE,
    rights,
  });
  const open = (c: CapabilityClaims): Promise<SpaceChatSocket> => h.spaceChat(c);

  beforeAll(async () => {
    h = await startHarness({ fanout });
    const { db } = h.database;
    await seedDemoDirectory(db);
    const rows = await db
      .selectFrom('profile')
      .select('person_id')
      .where('uai', '=', '0350042K')
      .where('kind', '=', 'student')
      .orderBy('person_id')
      .limit(3)
      .execute();
    people.push(...rows.map((r) => r.person_id));
    await insertSpace(db, {
      id: SPACE,
      kind: 'group',
      name: 'Exposé volcans',
      uai: '0350042K',
      projectId: null,
      createdBy: people[0]!,
    });
    for (const [i, p] of people.entries())
      await putMember(db, {
        spaceId: SPACE,
        personId: p,
        role: i === 0 ? 'owner' : 'member',
        by: people[0]!,
      });
    await fanout.subscribe(NOTIFY_CHANNEL, (m) => notes.push(JSON.parse(m) as Notification));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sends to the others at once, keeps the history, and pages back newest last', async () => {
    const [a, b] = people;
    const anna = await open(claims(a!, [...WRITER, 'moderate']));
    const ben = await open(claims(b!));
    const seen: SpaceChatMessage[] = [];
    ben.on('chat.message', (m) => seen.push(m));
    const first = await call(anna, 'chat.send', { text: '  Bonjour le groupe  ' });
    expect(first).toMatchObject({ text: 'Bonjour le groupe', sessionId: null, participantId: a });
    await expect.poll(() => seen.map((m) => m.text)).toEqual(['Bonjour le groupe']);
    for (let i = 0; i < 54; i++)
      await h.database.db
        .insertInto('live_chat_message')
        .values({
          id: `m_old_${String(i).padStart(2, '0')}`,
          space_id: SPACE,
          session_id: null,
          author_id: b!,
          author_name: 'Élève',
          text: `ancien ${i}`,
          sent_at: new Date(Date.now() - 3_600_000 + i * 1000),
          deleted_at: null,
          deleted_by: null,
        })
        .execute();
    const page = await call(ben, 'chat.history', {});
    expect(page.more).toBe(true);
    expect(page.messages).toHaveLength(50);
    expect(page.messages.at(-1)!.text).toBe('Bonjour le groupe');
    const older = await call(ben, 'chat.history', { before: page.messages[0]!.messageId });
    expect(older.more).toBe(false);
    expect(older.messages.map((m) => m.text)).toEqual([
      'ancien 0',
      'ancien 1',
      'ancien 2',
      'ancien 3',
      'ancien 4',
    ]);
    // A new connection (a reload) reads the same history.
    const again = await open(claims(b!));
    expect((await call(again, 'chat.history', {})).messages.at(-1)!.messageId).toBe(
      first.messageId,
    );
  });

  it('lets the author correct and delete their own, a moderator any, and traces each act', async () => {
    const [a, b] = people;
    const anna = await open(claims(a!, [...WRITER, 'moderate']));
    const ben = await open(claims(b!));
    const edits: SpaceChatMessage[] = [];
    const deletions: string[] = [];
    anna.on('chat.edited', (m) => edits.push(m));
    anna.on('chat.deleted', ({ messageId }) => deletions.push(messageId));
    const mine = await call(ben, 'chat.send', { text: 'La lave est froide' });
    const codes = [
      await request(anna, 'chat.edit', { messageId: mine.messageId, text: 'non' }),
      await request(ben, 'chat.edit', { messageId: mine.messageId, text: '   ' }),
    ].map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes).toEqual(['forbidden', 'bad_request']);
    const fixed = await call(ben, 'chat.edit', {
      messageId: mine.messageId,
      text: 'La lave est chaude',
    });
    expect(fixed.editedAt).not.toBeNull();
    await expect.poll(() => edits.map((m) => m.text)).toEqual(['La lave est chaude']);
    const annas = await call(anna, 'chat.send', { text: 'Message d’Anna' });
    expect(await request(ben, 'chat.delete', { messageId: annas.messageId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await call(anna, 'chat.delete', { messageId: mine.messageId });
    await expect.poll(() => deletions).toEqual([mine.messageId]);
    const history = await call(ben, 'chat.history', {});
    expect(history.messages.some((m) => m.messageId === mine.messageId)).toBe(false);
    const traces = (await readOutbox(h.database.db, SPACE)).filter(
      (t) => t.subject === mine.messageId,
    );
    expect(traces.map((t) => [t.kind, t.actor, t.payload.text])).toEqual([
      ['chat.message', b, 'La lave est froide'],
      ['chat.edited', b, 'La lave est chaude'],
      ['chat.deleted', a, undefined],
    ]);
  });

  it('stores mentions of members only and notifies them; read markers set unread counts', async () => {
    const [a, b, c] = people;
    const anna = await open(claims(a!, [...WRITER, 'moderate']));
    const cleo = await open(claims(c!));
    const sent = await call(anna, 'chat.send', {
      text: '@Cléo tu relis ?',
      mentions: [c!, 'p_outsider', c!],
    });
    expect(sent.mentions).toEqual([c]);
    await expect
      .poll(() => notes.filter((n) => n.type === 'mention').map((n) => [n.to, n.spaceName]))
      .toEqual([[c, 'Exposé volcans']]);
    const before = (await unreadCounts(h.database.db, c!, [SPACE])).get(SPACE)!;
    expect(before).toBeGreaterThan(0);
    await call(cleo, 'chat.read', { messageId: sent.messageId });
    expect((await unreadCounts(h.database.db, c!, [SPACE])).get(SPACE) ?? 0).toBe(0);
    await call(anna, 'chat.send', { text: 'Encore un' });
    expect((await unreadCounts(h.database.db, c!, [SPACE])).get(SPACE)).toBe(1);
    expect((await unreadCounts(h.database.db, a!, [SPACE])).get(SPACE) ?? 0).toBeGreaterThan(0);
    void b;
  });

  it('shows a live session’s messages in the space’s chat, live and in its history', async () => {
    const [a, b] = people;
    const { session } = await startLiveSession(h.database.db, {
      id: 'ls_spacechat',
      space: SPACE,
      classId: null,
      title: 'Salon',
      createdBy: a!,
    });
    const outside = await open(claims(b!));
    const seen: SpaceChatMessage[] = [];
    outside.on('chat.message', (m) => seen.push(m));
    const inSession = await h.join(session.id, { ...claims(a!), session: session.id });
    const sent = await callLive(inSession, 'chat.send', { text: 'Dit pendant le salon' });
    await expect
      .poll(() => seen.map((m) => [m.messageId, m.sessionId, m.text]))
      .toEqual([[sent.messageId, session.id, 'Dit pendant le salon']]);
    const history = await call(outside, 'chat.history', {});
    expect(history.messages.at(-1)).toMatchObject({
      messageId: sent.messageId,
      sessionId: session.id,
    });
  });

  it('tells every open chat screen when a person is erased, so their messages leave it', async () => {
    const [a, b] = people;
    const ana = await open(claims(a!));
    const heard: string[] = [];
    ana.on('chat.authorErased', ({ participantId }) => heard.push(participantId));
    await fanout.publish(PERSON_ERASED_CHANNEL, 'not json');
    await fanout.publish(PERSON_ERASED_CHANNEL, JSON.stringify({ person: b }));
    await expect.poll(() => heard).toEqual([b]);
    ana.disconnect();
  });

  it('drops a removed member at once, refuses a token without read, and keeps a suspended space read-only', async () => {
    const [a, , c] = people;
    const cleo = await open(claims(c!));
    const closed: string[] = [];
    cleo.on('chat.closed', ({ reason }) => closed.push(reason));
    const gone = new Promise<void>((resolve) => cleo.once('disconnect', () => resolve()));
    await fanout.publish(
      MEMBERSHIP_CHANNEL,
      JSON.stringify({ space: SPACE, person: c, change: 'removed', role: 'member' }),
    );
    await gone;
    expect(closed).toEqual(['removed']);
    await expect(open(claims(c!, []))).rejects.toThrow('forbidden');

    const anna = await open(claims(a!, [...WRITER, 'moderate']));
    await setSpaceState(h.database.db, SPACE, 'suspended', 'staff', 'enquête');
    expect(await request(anna, 'chat.send', { text: 'Encore ?' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // Reading stays possible; a token minted now carries no write right and is refused at once.
    const reader = await open(claims(a!, ['read']));
    expect((await call(reader, 'chat.history', {})).messages.length).toBeGreaterThan(0);
    expect(await request(reader, 'chat.send', { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});
