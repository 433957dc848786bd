import {
  type ChatMessage,
  CLASSROOM_LIMITS,
  type HandView,
  MEMBERSHIP_CHANNEL,
  type MembershipChange,
  type ParticipantView,
  type SessionSnapshot,
} from '@preau/protocol';
import { listAttendance, MemoryFanout, readOutbox } from '@preau/storage';
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

describe('a live session over socket.io (no media)', () => {
  let h: Harness;
  let sessionId: string;
  let teacher: ClassroomSocket;
  let alice: ClassroomSocket;
  let bob: ClassroomSocket;
  let snapshots: Record<string, SessionSnapshot>;

  const join = async (sub: string, kind: 'teacher' | 'student') => {
    const socket = await h.connect({
      token: await h.mint(person(sub, '3eB', kind)),
      session: sessionId,
    });
    return { socket, snapshot: await call(socket, 'session.join', {}) };
  };

  beforeAll(async () => {
    h = await startHarness();
    sessionId = await h.startSession('3eB', 'teacher1');
    const t = await join('teacher1', 'teacher');
    const a = await join('alice', 'student');
    const b = await join('bob', 'student');
    teacher = t.socket;
    alice = a.socket;
    bob = b.socket;
    snapshots = { teacher: t.snapshot, alice: a.snapshot, bob: b.snapshot };
  });
  afterAll(() => h?.close());

  it('gives each joiner the roster, and tells the others who arrived', async () => {
    expect(snapshots.teacher!.me).toMatchObject({ participantId: 'teacher1', moderator: true });
    expect(snapshots.bob!.me).toMatchObject({ participantId: 'bob', moderator: false });
    expect(snapshots.bob!.participants.map((p) => p.participantId).sort()).toEqual([
      'alice',
      'bob',
      'teacher1',
    ]);
    expect(snapshots.bob!.session).toMatchObject({ sessionId, phase: 'live', locked: false });
    const roster = await call(alice, 'session.join', {});
    expect(roster.resumed).toBe(true);
    expect(roster.participants).toHaveLength(3);
  });

  it('delivers chat to everyone; the teacher deletes a message for all', async () => {
    const seenByBob = recorder(bob);
    const seenByTeacher = recorder(teacher);
    const sent = await call(alice, 'chat.send', { text: '  Bonjour à tous !  ' });
    expect(sent).toMatchObject({ participantId: 'alice', text: 'Bonjour à tous !' });
    await expect
      .poll(() => seenByBob.of<ChatMessage>('chat.message').map((m) => m.text))
      .toEqual(['Bonjour à tous !']);
    await expect.poll(() => seenByTeacher.of<ChatMessage>('chat.message')).toHaveLength(1);

    // A student may not delete; the message stays.
    const refused = await request(bob, 'chat.delete', { messageId: sent.messageId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    await call(teacher, 'chat.delete', { messageId: sent.messageId });
    await expect.poll(() => seenByBob.of('chat.deleted')).toEqual([{ messageId: sent.messageId }]);
    const later = await call(bob, 'session.join', {});
    expect(later.chat.map((m) => m.messageId)).not.toContain(sent.messageId);
    expect(await request(teacher, 'chat.delete', { messageId: sent.messageId })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('keeps raised hands in order; only the teacher lowers someone else’s', async () => {
    const seen = recorder(teacher);
    await call(bob, 'hand.raise', {});
    await call(alice, 'hand.raise', {});
    await call(bob, 'hand.raise', {});
    await expect
      .poll(() =>
        seen
          .of<{ hands: HandView[] }>('hands.updated')
          .at(-1)
          ?.hands.map((x) => x.participantId),
      )
      .toEqual(['bob', 'alice']);
    expect(await request(alice, 'hand.lower', { participantId: 'bob' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await call(teacher, 'hand.lower', { participantId: 'bob' });
    await call(alice, 'hand.lower', {});
    await expect
      .poll(() => seen.of<{ hands: HandView[] }>('hands.updated').at(-1)?.hands)
      .toEqual([]);
  });

  it('answers malformed, oversized, unknown and out-of-role events with a typed error and changes nothing', async () => {
    expect(await request(alice, 'chat.send', { text: 42 } as never)).toMatchObject({
      ok: false,
      error: { code: 'bad_request', issues: [{ path: 'text' }] },
    });
    expect(await request(alice, 'chat.send', { text: 'hi', extra: true } as never)).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(
      await request(alice, 'chat.send', { text: 'x'.repeat(CLASSROOM_LIMITS.eventBytes + 10) }),
    ).toMatchObject({ ok: false, error: { code: 'too_large' } });
    const unknown = await new Promise((resolve) =>
      (alice.emit as unknown as (e: string, p: unknown, a: (r: unknown) => void) => void).call(
        alice,
        'admin.dropTables',
        {},
        resolve,
      ),
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    for (const [event, payload] of [
      ['moderation.lock', { locked: true }],
      ['moderation.muteAll', {}],
      ['moderation.remove', { participantId: 'bob' }],
      ['moderation.screenShare', { allowed: true }],
      ['session.end', {}],
    ] as const) {
      expect(await request(alice, event, payload as never)).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    const after = await call(bob, 'session.join', {});
    expect(after.session).toMatchObject({
      phase: 'live',
      locked: false,
      studentScreenShare: false,
    });
    expect(after.participants.map((p) => p.participantId).sort()).toEqual([
      'alice',
      'bob',
      'teacher1',
    ]);
  });

  it('counts unknown events against the rate limit, and puts out a client that loops on them', async () => {
    const carol = await h.connect({
      token: await h.mint(person('carol', '3eB', 'student')),
      session: sessionId,
    });
    const emitRaw = (event: string) =>
      new Promise<unknown>((resolve) =>
        (carol.emit as unknown as (e: string, p: unknown, a: (r: unknown) => void) => void).call(
          carol,
          event,
          {},
          resolve,
        ),
      );
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await emitRaw(`nope.${i}`));
    expect(answers.slice(0, 5)).toEqual(
      Array(5).fill({ ok: false, error: { code: 'bad_request', message: 'unknown event' } }),
    );
    expect(answers.at(-1)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    const gone = new Promise((resolve) => carol.once('disconnect', resolve));
    const emitBare = carol.emit as unknown as (e: string) => void;
    for (let i = 0; i < 25; i++) emitBare.call(carol, 'nope.again');
    expect(await gone).toBe('io server disconnect');
    carol.close();
  });

  it('limits the chat rate per socket', async () => {
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await request(bob, 'chat.send', { text: `m${i}` }));
    expect(results.filter((r) => r.ok).length).toBeLessThanOrEqual(6);
    expect(results.at(-1)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
  });

  it('locks the session against newcomers, and unlocks it', async () => {
    const seen = recorder(alice);
    await call(teacher, 'moderation.lock', { locked: true });
    await expect
      .poll(() => seen.of<{ locked: boolean }>('session.updated').at(-1)?.locked)
      .toBe(true);
    const carol = await h.connect({
      token: await h.mint(person('carol', '3eB', 'student')),
      session: sessionId,
    });
    expect(await request(carol, 'session.join', {})).toMatchObject({
      ok: false,
      error: { code: 'session_locked' },
    });
    // Someone already in (a reconnection) is not a newcomer.
    expect((await call(alice, 'session.join', {})).resumed).toBe(true);
    await call(teacher, 'moderation.lock', { locked: false });
    expect((await call(carol, 'session.join', {})).me.participantId).toBe('carol');
    await call(carol, 'session.leave', {});
    carol.close();
  });

  it('removes a participant, who cannot come back', async () => {
    const dave = await join('dave', 'student');
    const kicked = new Promise((resolve) => dave.socket.once('session.kicked', resolve));
    const seen = recorder(teacher);
    await call(teacher, 'moderation.remove', { participantId: 'dave' });
    expect(await kicked).toEqual({ reason: 'removed' });
    await expect
      .poll(() => seen.of<{ participantId: string; reason: string }>('participant.left'))
      .toContainEqual({ participantId: 'dave', reason: 'removed' });
    const again = await h.connect({
      token: await h.mint(person('dave', '3eB', 'student')),
      session: sessionId,
    });
    expect(await request(again, 'session.join', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    again.close();
    expect(
      await request(teacher, 'moderation.remove', { participantId: 'teacher1' }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await request(teacher, 'moderation.remove', { participantId: 'nobody' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('ends the session for everyone, closes attendance and records every act as a trace', async () => {
    const ended = Promise.all(
      [alice, bob].map((s) => new Promise((resolve) => s.once('session.kicked', resolve))),
    );
    await call(teacher, 'session.end', {});
    expect(await ended).toEqual([{ reason: 'ended' }, { reason: 'ended' }]);

    const late = await h
      .connect({ token: await h.mint(person('erin', '3eB', 'student')), session: sessionId })
      .catch((e: { data?: { code: string } }) => e.data?.code);
    expect(late).toBe('session_ended');

    const stays = await listAttendance(h.database.db, sessionId);
    expect(stays.every((s) => s.leftAt !== null)).toBe(true);
    expect(stays.map((s) => [s.personId, s.leaveReason])).toEqual(
      expect.arrayContaining([
        ['teacher1', 'ended'],
        ['alice', 'ended'],
        ['bob', 'ended'],
        ['carol', 'left'],
        ['dave', 'removed'],
      ]),
    );

    const traces = await readOutbox(h.database.db, 'class_3eB');
    const kinds = traces.map((t) => t.kind);
    expect(kinds[0]).toBe('session.started');
    expect(kinds.at(-1)).toBe('session.ended');
    expect(kinds.filter((k) => k === 'session.joined')).toHaveLength(5);
    expect(kinds).toContain('chat.message');
    expect(kinds).toContain('chat.deleted');
    const moderation = traces
      .filter((t) => t.kind === 'session.moderation')
      .map((t) => t.payload.action);
    expect(moderation).toEqual(['lower_hand', 'lock', 'unlock', 'remove', 'end']);
    expect(
      traces.filter((t) => t.kind === 'session.left').map((t) => [t.actor, t.payload.reason]),
    ).toEqual(
      expect.arrayContaining([
        ['carol', 'left'],
        ['dave', 'removed'],
        ['alice', 'ended'],
      ]),
    );
    expect(traces.every((t) => t.subject !== null)).toBe(true);
  });
});

describe('a participant whose connection drops', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeouts: { reconnectGraceMs: 1500 } });
  });
  afterAll(() => h?.close());

  it('keeps their place while reconnecting, resumes on a new socket, and times out if gone', async () => {
    const sessionId = await h.startSession('6eD', 'prof');
    const connect = async (sub: string, kind: 'teacher' | 'student') =>
      h.connect({ token: await h.mint(person(sub, '6eD', kind)), session: sessionId });
    const teacher = await connect('prof', 'teacher');
    await call(teacher, 'session.join', {});
    const seen = recorder(teacher);
    const first = await connect('zoe', 'student');
    await call(first, 'session.join', {});

    // The network drops: the transport closes without a goodbye.
    first.io.engine.close();
    await expect
      .poll(() => seen.of<ParticipantView>('participant.updated').at(-1)?.presence)
      .toBe('reconnecting');

    const second = await connect('zoe', 'student');
    const resumed = await call(second, 'session.join', {});
    expect(resumed.resumed).toBe(true);
    await expect
      .poll(() => seen.of<ParticipantView>('participant.updated').at(-1)?.presence)
      .toBe('live');
    expect(seen.of('participant.left')).toEqual([]);
    expect(await listAttendance(h.database.db, sessionId)).toHaveLength(2);

    // Gone for longer than the grace period: they leave, with reason timeout.
    second.io.engine.close();
    await expect
      .poll(() => seen.of('participant.left'))
      .toEqual([{ participantId: 'zoe', reason: 'timeout' }]);
    const zoe = (await listAttendance(h.database.db, sessionId)).find((s) => s.personId === 'zoe');
    expect(zoe).toMatchObject({ leaveReason: 'timeout' });
    expect(zoe?.leftAt).not.toBeNull();
  });

  it('replaces an older socket of the same person (a second tab)', async () => {
    const sessionId = await h.startSession('6eE', 'prof2');
    const token = await h.mint(person('yann', '6eE', 'student'));
    const teacher = await h.connect({
      token: await h.mint(person('prof2', '6eE', 'teacher')),
      session: sessionId,
    });
    await call(teacher, 'session.join', {});
    const tab1 = await h.connect({ token, session: sessionId });
    await call(tab1, 'session.join', {});
    const replaced = new Promise((resolve) => tab1.once('session.kicked', resolve));
    const tab2 = await h.connect({ token, session: sessionId });
    expect((await call(tab2, 'session.join', {})).resumed).toBe(true);
    expect(await replaced).toEqual({ reason: 'replaced' });
    expect(await request(tab2, 'chat.send', { text: 'toujours là' })).toMatchObject({ ok: true });
  });
});

describe('membership changes reach live sessions at once', () => {
  const fanout = new MemoryFanout();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ fanout });
  });
  afterAll(async () => {
    await h?.close();
    await fanout.close();
  });

  const announce = (change: MembershipChange) =>
    fanout.publish(MEMBERSHIP_CHANNEL, JSON.stringify(change));

  it('puts out a person removed from the class, and reconnects one whose role changed', async () => {
    const sessionId = await h.startSession('2nd1', 'prof3');
    const connect = (sub: string, kind: 'teacher' | 'student') =>
      h.join(sessionId, person(sub, '2nd1', kind));
    const teacher = await connect('prof3', 'teacher');
    const seen = recorder(teacher);
    const gone = await connect('ugo', 'student');
    const moved = await connect('vera', 'student');

    const kicked = new Promise((resolve) => gone.once('session.kicked', resolve));
    await announce({ space: 'class_2nd1', person: 'ugo', change: 'removed', role: 'student' });
    expect(await kicked).toEqual({ reason: 'removed' });
    await expect
      .poll(() => seen.of('participant.left'))
      .toContainEqual({ participantId: 'ugo', reason: 'removed' });
    const back = await h.connect({
      token: await h.mint(person('ugo', '2nd1', 'student')),
      session: sessionId,
    });
    expect(await request(back, 'session.join', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    const dropped = new Promise((resolve) => moved.once('disconnect', resolve));
    await announce({ space: 'class_2nd1', person: 'vera', change: 'role', role: 'teacher' });
    expect(await dropped).toBe('transport close');

    // Another space's change touches nobody here.
    await announce({ space: 'class_other', person: 'prof3', change: 'removed', role: 'teacher' });
    expect((await call(teacher, 'session.join', {})).resumed).toBe(true);
    // Garbage on the channel is ignored.
    await fanout.publish(MEMBERSHIP_CHANNEL, 'not json');
    expect((await call(teacher, 'session.join', {})).resumed).toBe(true);
  });
});
