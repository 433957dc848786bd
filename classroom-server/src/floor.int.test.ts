import {
  classSpaceId,
  type FloorView,
  type HandView,
  type ParticipantView,
  type ServerEvent,
} from '@preau/protocol';
import { readOutbox } from '@preau/storage';
import { sql } from 'kysely';
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

// The finer teacher controls over real sockets with real tokens: chat muted
// for one student (refused with `chat_muted`), the chat closed to students,
// all hands lowered, a co-teacher given and taken back, and the waiting room.
describe('finer moderation in a live session', () => {
  let h: Harness;
  let sessionId: string;
  let teacher: ClassroomSocket;
  let eva: ClassroomSocket;
  let hugo: ClassroomSocket;
  const space = classSpaceId('4eM');
  const moderationActs = async () =>
    (await readOutbox(h.database.db, space))
      .filter((t) => t.kind === 'session.moderation')
      .map((t) => [t.payload.action, t.payload.target ?? null]);

  beforeAll(async () => {
    h = await startHarness({ rateRules: { chat: { capacity: 100, perSecond: 100 } } });
    sessionId = await h.startSession('4eM', 'profM');
    teacher = await h.join(sessionId, person('profM', '4eM', 'teacher'));
    eva = await h.join(sessionId, person('eva', '4eM', 'student'));
    hugo = await h.join(sessionId, person('hugo', '4eM', 'student'));
  });
  afterAll(() => h?.close());

  it('mutes one student’s chat: their message is refused with chat_muted, others still write', async () => {
    const evaSees = recorder(eva);
    const hugoSees = recorder(hugo);
    expect(
      await request(hugo, 'moderation.muteChat', { participantId: 'eva', muted: true }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await call(teacher, 'moderation.muteChat', { participantId: 'eva', muted: true });
    expect(await request(eva, 'chat.send', { text: 'coucou' })).toMatchObject({
      ok: false,
      error: { code: 'chat_muted' },
    });
    await call(hugo, 'chat.send', { text: 'bonjour' });
    await expect
      .poll(
        () => evaSees.of<ServerEvent<'moderation.applied'>>('moderation.applied').at(-1)?.action,
      )
      .toBe('chat_muted');
    // The muted student knows; the others are not told who is muted.
    await expect
      .poll(() => evaSees.of<FloorView>('floor.updated').at(-1)?.chatMuted)
      .toEqual(['eva']);
    await expect.poll(() => hugoSees.of<FloorView>('floor.updated').length).toBeGreaterThan(0);
    expect(hugoSees.of<FloorView>('floor.updated').at(-1)?.chatMuted).toEqual([]);
    const stored = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM live_chat_message WHERE author_id = 'eva'`.execute(
      h.database.db,
    );
    expect(Number(stored.rows[0]?.n)).toBe(0);

    await call(teacher, 'moderation.muteChat', { participantId: 'eva', muted: false });
    await call(eva, 'chat.send', { text: 'merci' });
    expect(await moderationActs()).toEqual([
      ['chat_muted', 'eva'],
      ['chat_unmuted', 'eva'],
    ]);
  });

  it('closes the chat to students (teachers still write), and opens it again; the setting is stored', async () => {
    await call(teacher, 'moderation.chatOpen', { open: false });
    expect(await request(hugo, 'chat.send', { text: 'et moi ?' })).toMatchObject({
      ok: false,
      error: { code: 'chat_closed' },
    });
    await call(teacher, 'chat.send', { text: 'Silence, on travaille.' });
    const floor = await sql<{ chat_open: boolean }>`
      SELECT chat_open FROM live_session_floor WHERE session_id = ${sessionId}`.execute(
      h.database.db,
    );
    expect(floor.rows[0]?.chat_open).toBe(false);
    // A rejoin finds the chat still closed.
    expect((await call(hugo, 'session.join', {})).floor?.chatOpen).toBe(false);
    await call(teacher, 'moderation.chatOpen', { open: true });
    await call(hugo, 'chat.send', { text: 'et moi ?' });
  });

  it('lowers every hand at once', async () => {
    const seen = recorder(teacher);
    await call(eva, 'hand.raise', {});
    await call(hugo, 'hand.raise', {});
    await expect
      .poll(() => seen.of<{ hands: HandView[] }>('hands.updated').at(-1)?.hands.length)
      .toBe(2);
    expect(await request(eva, 'moderation.lowerAllHands', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await call(teacher, 'moderation.lowerAllHands', {});
    await expect
      .poll(() => seen.of<{ hands: HandView[] }>('hands.updated').at(-1)?.hands)
      .toEqual([]);
    expect((await moderationActs()).at(-1)).toEqual(['lower_all_hands', null]);
  });

  it('makes a student co-teacher with the same controls, then takes it back', async () => {
    const teacherSees = recorder(teacher);
    expect(
      await request(hugo, 'moderation.coTeacher', { participantId: 'eva', granted: true }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await call(teacher, 'moderation.coTeacher', { participantId: 'eva', granted: true });
    await expect
      .poll(
        () =>
          teacherSees
            .of<ParticipantView>('participant.updated')
            .findLast((p) => p.participantId === 'eva')?.moderator,
      )
      .toBe(true);
    // A co-teacher uses the teachers' controls: a poll, a chat mute.
    const poll = await call(eva, 'poll.create', {
      kind: 'yes_no',
      question: 'Prêts ?',
      anonymous: true,
    });
    await call(eva, 'poll.close', { pollId: poll.pollId });
    await call(eva, 'moderation.muteChat', { participantId: 'hugo', muted: true });
    expect(await request(hugo, 'chat.send', { text: '!' })).toMatchObject({
      ok: false,
      error: { code: 'chat_muted' },
    });
    await call(eva, 'moderation.muteChat', { participantId: 'hugo', muted: false });
    // …but does not name co-teachers, and keeps the role on a rejoin.
    expect(
      await request(eva, 'moderation.coTeacher', { participantId: 'hugo', granted: true }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await call(eva, 'session.join', {})).me.moderator).toBe(true);

    await call(teacher, 'moderation.coTeacher', { participantId: 'eva', granted: false });
    expect(
      await request(eva, 'poll.create', { kind: 'yes_no', question: 'Encore ?', anonymous: true }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const acts = await moderationActs();
    expect(acts).toContainEqual(['co_teacher_granted', 'eva']);
    expect(acts.at(-1)).toEqual(['co_teacher_revoked', 'eva']);
  });

  it('keeps students in the waiting room until a teacher admits them, one or all; a denied student is told', async () => {
    const teacherSees = recorder(teacher);
    await call(teacher, 'moderation.waitingRoom', { enabled: true });
    const join = async (sub: string) => {
      const socket = await h.connect({
        token: await h.mint(person(sub, '4eM', 'student')),
        session: sessionId,
      });
      return { socket, seen: recorder(socket), answer: await request(socket, 'session.join', {}) };
    };
    const lina = await join('lina');
    const noe = await join('noe');
    const sam = await join('sam');
    for (const w of [lina, noe, sam]) {
      expect(w.answer).toMatchObject({ ok: false, error: { code: 'waiting_room' } });
      // Nothing of the class reaches someone waiting.
      expect(await request(w.socket, 'chat.send', { text: 'hé' })).toMatchObject({ ok: false });
    }
    await expect
      .poll(() =>
        teacherSees
          .of<ServerEvent<'waiting.updated'>>('waiting.updated')
          .at(-1)
          ?.waiting.map((w) => w.participantId),
      )
      .toEqual(['lina', 'noe', 'sam']);
    // Students already in stay in, and may not admit anyone.
    expect(await request(hugo, 'waiting.admit', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    await call(teacher, 'waiting.admit', { participantId: 'lina' });
    await expect.poll(() => lina.seen.of('waiting.admitted').length).toBe(1);
    const snapshot = await call(lina.socket, 'session.join', {});
    expect(snapshot.me.participantId).toBe('lina');

    await call(teacher, 'waiting.deny', { participantId: 'noe' });
    await expect.poll(() => noe.seen.of('waiting.denied').length).toBe(1);
    expect(await request(noe.socket, 'chat.send', { text: 'je peux ?' })).toMatchObject({
      ok: false,
    });

    await call(teacher, 'waiting.admit', {});
    await expect.poll(() => sam.seen.of('waiting.admitted').length).toBe(1);
    await call(sam.socket, 'session.join', {});
    await expect
      .poll(() => teacherSees.of<ServerEvent<'waiting.updated'>>('waiting.updated').at(-1)?.waiting)
      .toEqual([]);

    const acts = await moderationActs();
    expect(acts).toEqual(
      expect.arrayContaining([
        ['waiting_room_on', null],
        ['admitted', 'lina'],
        ['denied', 'noe'],
        ['admitted', 'sam'],
      ]),
    );
    await call(teacher, 'moderation.waitingRoom', { enabled: false });
    const stored = await sql<{ waiting_room: boolean }>`
      SELECT waiting_room FROM live_session_floor WHERE session_id = ${sessionId}`.execute(
      h.database.db,
    );
    expect(stored.rows[0]?.waiting_room).toBe(false);
  });

  it('lets the waiting room be turned off to admit everyone waiting', async () => {
    await call(teacher, 'moderation.waitingRoom', { enabled: true });
    const socket = await h.connect({
      token: await h.mint(person('zoe', '4eM', 'student')),
      session: sessionId,
    });
    const seen = recorder(socket);
    expect(await request(socket, 'session.join', {})).toMatchObject({
      ok: false,
      error: { code: 'waiting_room' },
    });
    await call(teacher, 'moderation.waitingRoom', { enabled: false });
    await expect.poll(() => seen.of('waiting.admitted').length).toBe(1);
    expect((await call(socket, 'session.join', {})).floor?.waitingRoom).toBe(false);
  });
});
