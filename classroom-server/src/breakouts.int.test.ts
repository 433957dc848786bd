import {
  type BreakoutChatMessage,
  type BreakoutState,
  PERSON_ERASED_CHANNEL,
  type RtpCapabilities,
} from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { createSfu, type Sfu } from '@preau/sfu';
import { opusParameters } from '@preau/sfu/testing';
import {
  appendDocUpdate,
  createDoc,
  listDocs,
  MemoryFanout,
  peopleOf,
  readDocParts,
} from '@preau/storage';
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

const SPACE = 'class_5eC';

describe('breakout rooms with a real SFU', () => {
  let sfu: Sfu;
  let h: Harness;
  let sessionId: string;
  let caps: RtpCapabilities;
  const sockets: Record<string, ClassroomSocket> = {};
  const mics: Record<string, string> = {};
  const recv: Record<string, string> = {};
  const students = ['ana', 'ben', 'cleo'];

  const consume = (who: string, owner: string) =>
    request(sockets[who]!, 'media.consume', { transportId: recv[who]!, producerId: mics[owner]! });
  const traces = async () =>
    (
      await sql<{ kind: string; payload: Record<string, unknown> }>`
        SELECT kind, payload FROM trace_outbox
        WHERE space_id = ${SPACE} AND kind LIKE 'breakout.%' ORDER BY seq`.execute(h.database.db)
    ).rows;

  beforeAll(async () => {
    sfu = await createSfu({ workers: 1, log: silentLogger() });
    h = await startHarness({ sfu });
    sessionId = await h.startSession('5eC', 'prof');
    for (const [sub, kind] of [
      ['prof', 'teacher'],
      ['ana', 'student'],
      ['ben', 'student'],
      ['cleo', 'student'],
    ] as const) {
      const socket = await h.join(sessionId, person(sub, '5eC', kind));
      sockets[sub] = socket;
      if (!caps) {
        caps = (await call(socket, 'session.join', {})).routerRtpCapabilities!;
      }
      await call(socket, 'media.setCapabilities', { rtpCapabilities: caps });
      const send = await call(socket, 'media.createTransport', { direction: 'send' });
      mics[sub] = (
        await call(socket, 'media.produce', {
          transportId: send.id,
          kind: 'audio',
          source: 'mic',
          rtpParameters: opusParameters(1000 + Object.keys(mics).length),
        })
      ).producerId;
      recv[sub] = (await call(socket, 'media.createTransport', { direction: 'recv' })).id;
    }
  });
  afterAll(async () => {
    await h?.close();
    await sfu?.close();
  });

  it('refuses a student who tries to open rooms, and opens nothing', async () => {
    expect(
      await request(sockets.ana!, 'breakout.open', { mode: 'random', rooms: 2, minutes: 10 }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await call(sockets.ana!, 'breakout.state', {})).state).toBeNull();
    expect(await traces()).toEqual([]);
  });

  it('splits at random: every student in one room, a pad and a board per room in the class', async () => {
    const seen = recorder(sockets.ben!);
    const state = await call(sockets.prof!, 'breakout.open', {
      mode: 'random',
      rooms: 2,
      minutes: 10,
    });
    expect(state.rooms).toHaveLength(2);
    expect(state.rooms.flatMap((r) => r.members).sort()).toEqual(students);
    expect(state.rooms.map((r) => r.members.length).sort()).toEqual([1, 2]);
    await expect
      .poll(() => seen.of<{ state: BreakoutState }>('breakout.updated').at(-1)?.state.breakoutId)
      .toBe(state.breakoutId);
    const titles = (await listDocs(h.database.db, SPACE)).map((d) => d.title);
    expect(titles).toHaveLength(4);
    expect(titles).toContain(state.rooms[1]!.pad!.title);
    expect(state.rooms[1]!.pad!.title).toMatch(
      /^Salle 2 — Bloc-notes — Cours 5eC — \d+ \S+ \d{4}$/,
    );
    // Opened once: a second opening is refused.
    expect(
      await request(sockets.prof!, 'breakout.open', { mode: 'random', rooms: 3, minutes: 5 }),
    ).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await call(sockets.prof!, 'breakout.close', {});
  });

  it('by hand: students receive only their room’s media; a consumer crossing rooms is closed', async () => {
    // Before the split everyone hears everyone.
    const benHearsAna = await call(sockets.ben!, 'media.consume', {
      transportId: recv.ben!,
      producerId: mics.ana!,
    });
    const closed = new Promise((resolve) => sockets.ben!.once('consumer.closed', resolve));
    await call(sockets.prof!, 'breakout.open', {
      mode: 'manual',
      rooms: 2,
      minutes: 10,
      assignments: { ana: 1, cleo: 1, ben: 2 },
    });
    expect(await closed).toEqual({ consumerId: benHearsAna.id });
    await expect(
      sfu.consumerStats({ roomId: sessionId, peerId: 'ben', consumerId: benHearsAna.id }),
    ).rejects.toThrow();
    expect(await consume('ben', 'ana')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await consume('ben', 'prof')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await consume('cleo', 'ana')).ok).toBe(true);
    expect(await consume('ana', 'ben')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses a student who tries to join another room', async () => {
    expect(await request(sockets.ben!, 'breakout.choose', { room: 1 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await request(sockets.ben!, 'breakout.assign', { participantId: 'ben', room: 1 }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await request(sockets.ben!, 'breakout.visit', { room: 1 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const { state } = await call(sockets.ben!, 'breakout.state', {});
    expect(state?.rooms[1]?.members).toEqual(['ben']);
  });

  it('keeps each room’s chat to its room', async () => {
    const cleo = recorder(sockets.cleo!);
    const ben = recorder(sockets.ben!);
    const sent = await call(sockets.ana!, 'breakout.chat.send', { text: 'On commence par la 2 ?' });
    expect(sent).toMatchObject({ room: 1, participantId: 'ana' });
    await expect.poll(() => cleo.of<BreakoutChatMessage>('breakout.chat')).toHaveLength(1);
    expect(ben.of('breakout.chat')).toEqual([]);
    expect((await call(sockets.cleo!, 'breakout.state', {})).chat.map((m) => m.text)).toEqual([
      'On commence par la 2 ?',
    ]);
    expect((await call(sockets.ben!, 'breakout.state', {})).chat).toEqual([]);
    // The teacher, in the main room, has no room chat to write in.
    expect(await request(sockets.prof!, 'breakout.chat.send', { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('lets the teacher visit a room (its media and chat), message every room and extend the time', async () => {
    await call(sockets.prof!, 'breakout.visit', { room: 2 });
    expect((await consume('prof', 'ben')).ok).toBe(true);
    expect(await consume('prof', 'ana')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await consume('ben', 'prof')).ok).toBe(true);
    const benChat = recorder(sockets.ben!);
    await call(sockets.prof!, 'breakout.chat.send', { text: 'Où en êtes-vous ?' });
    await expect.poll(() => benChat.of('breakout.chat')).toHaveLength(1);

    const heard = students.map(
      (s) => new Promise((resolve) => sockets[s]!.once('breakout.message', resolve)),
    );
    await call(sockets.prof!, 'breakout.broadcast', { text: 'Encore cinq minutes' });
    for (const message of await Promise.all(heard)) {
      expect(message).toMatchObject({ text: 'Encore cinq minutes', by: 'prof' });
    }
    const before = (await call(sockets.prof!, 'breakout.state', {})).state!.endsAt;
    const { endsAt } = await call(sockets.prof!, 'breakout.extend', { minutes: 5 });
    expect(Date.parse(endsAt) - Date.parse(before)).toBe(5 * 60_000);
    expect(await request(sockets.ana!, 'breakout.extend', { minutes: 5 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('calls everyone back: all hear all again, the split is kept and reused in one call', async () => {
    const back = new Promise((resolve) => sockets.ana!.once('breakout.updated', resolve));
    await call(sockets.prof!, 'breakout.close', {});
    expect(await back).toEqual({ state: null, closed: 'recalled' });
    expect((await consume('ana', 'ben')).ok).toBe(true);
    const { lastSplit } = await call(sockets.prof!, 'breakout.state', {});
    expect(lastSplit?.rooms.map((r) => [...r].sort())).toEqual([['ana', 'cleo'], ['ben']]);
    expect((await call(sockets.ben!, 'breakout.state', {})).lastSplit).toBeNull();

    const reused = await call(sockets.prof!, 'breakout.open', {
      mode: 'last',
      rooms: 2,
      minutes: 3,
    });
    expect(reused.rooms.map((r) => [...r.members].sort())).toEqual([['ana', 'cleo'], ['ben']]);
    await call(sockets.prof!, 'breakout.close', {});
  });

  it('lets students choose when the teacher says so, and starts rooms from a template', async () => {
    const template = await createDoc(h.database.db, {
      space: SPACE,
      kind: 'pad',
      title: 'Consignes',
      actor: 'prof',
    });
    const body = new Uint8Array([1, 2, 3, 4]);
    await appendDocUpdate(h.database.db, { docId: template.id, author: 'prof', body });
    const state = await call(sockets.prof!, 'breakout.open', {
      mode: 'choose',
      rooms: 3,
      minutes: 10,
      template: { pad: template.id },
    });
    expect(state.rooms.every((r) => r.members.length === 0)).toBe(true);
    const copy = await readDocParts(h.database.db, state.rooms[2]!.pad!.id);
    expect(copy.updates.map((u) => [...u.body])).toEqual([[1, 2, 3, 4]]);
    expect((await readDocParts(h.database.db, state.rooms[2]!.board!.id)).updates).toEqual([]);

    await call(sockets.ben!, 'breakout.choose', { room: 3 });
    await call(sockets.ana!, 'breakout.choose', { room: 3 });
    expect((await call(sockets.ana!, 'breakout.state', {})).state?.rooms[2]?.members).toEqual([
      'ben',
      'ana',
    ]);
    expect((await consume('ana', 'ben')).ok).toBe(true);
    expect(await consume('ana', 'cleo')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await request(sockets.ana!, 'breakout.choose', { room: 9 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    // A template from elsewhere, or of the wrong kind, is refused.
    await call(sockets.prof!, 'breakout.close', {});
    expect(
      await request(sockets.prof!, 'breakout.open', {
        mode: 'random',
        rooms: 2,
        minutes: 10,
        template: { board: template.id },
      }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('traces every act in the class’s space', async () => {
    const kinds = (await traces()).map((t) => t.kind);
    expect(new Set(kinds)).toEqual(
      new Set([
        'breakout.opened',
        'breakout.assigned',
        'breakout.message',
        'breakout.visit',
        'breakout.extended',
        'breakout.closed',
      ]),
    );
    // The archive finds each student in the split and in their own moves.
    const assigned = (await traces()).filter((t) => t.kind === 'breakout.assigned');
    const chose = assigned.find((t) => t.payload.person === 'ana' && t.payload.room === 3);
    expect(chose && peopleOf({ actor: 'ana', payload: chose.payload })).toEqual(['ana']);
    expect(peopleOf({ actor: 'prof', payload: assigned[0]!.payload }).sort()).toEqual(
      ['prof', ...students].sort(),
    );
    const roomChat = await sql<{ payload: Record<string, unknown> }>`
      SELECT payload FROM trace_outbox WHERE space_id = ${SPACE} AND kind = 'chat.message'`.execute(
      h.database.db,
    );
    expect(roomChat.rows.map((r) => r.payload.room)).toEqual([1, 2]);
  });

  it('closes open rooms with the session, traced as ended', async () => {
    await call(sockets.prof!, 'breakout.open', { mode: 'random', rooms: 2, minutes: 10 });
    await call(sockets.prof!, 'session.end', {});
    const last = (await traces()).at(-1);
    expect(last).toMatchObject({ kind: 'breakout.closed', payload: { reason: 'ended' } });
  });
});

describe('the breakout timer', () => {
  let h: Harness;
  afterAll(() => h?.close());

  it('calls everyone back by itself when it runs out, after an extension', async () => {
    // A timer minute of 300 ms: one minute plus one of extension is over in about 600 ms.
    h = await startHarness({ timeouts: { breakoutMinuteMs: 300 } });
    const sessionId = await h.startSession('6eD', 'prof');
    const prof = await h.join(sessionId, person('prof', '6eD', 'teacher'));
    const pupils = [
      await h.join(sessionId, person('ines', '6eD', 'student')),
      await h.join(sessionId, person('jules', '6eD', 'student')),
    ];
    const seen = pupils.map((s) => recorder(s));
    const opened = await call(prof, 'breakout.open', { mode: 'random', rooms: 2, minutes: 1 });
    const { endsAt } = await call(prof, 'breakout.extend', { minutes: 1 });
    expect(Date.parse(endsAt) - Date.parse(opened.endsAt)).toBe(300);
    for (const s of seen) {
      await expect
        .poll(() => s.of('breakout.updated').at(-1), { timeout: 5000 })
        .toEqual({ state: null, closed: 'timeout' });
    }
    const closed = await sql<{ actor: string; payload: Record<string, unknown> }>`
      SELECT actor, payload FROM trace_outbox
      WHERE space_id = 'class_6eD' AND kind = 'breakout.closed'`.execute(h.database.db);
    expect(closed.rows).toMatchObject([{ actor: 'system', payload: { reason: 'timeout' } }]);
    expect(Number(closed.rows[0]!.payload.durationMs)).toBeGreaterThanOrEqual(550);
    expect((await call(pupils[0]!, 'breakout.state', {})).state).toBeNull();
  });
});

describe('an erasure reaches breakout rooms', () => {
  const fanout = new MemoryFanout();
  let h: Harness;
  afterAll(async () => {
    await h?.close();
    await fanout.close();
  });

  it('drops the person’s room messages from the room’s memory', async () => {
    h = await startHarness({ fanout });
    await h.classroom.ready;
    const sessionId = await h.startSession('4eB', 'prof');
    const prof = await h.join(sessionId, person('prof', '4eB', 'teacher'));
    const leo = await h.join(sessionId, person('leo', '4eB', 'student'));
    const mia = await h.join(sessionId, person('mia', '4eB', 'student'));
    await call(prof, 'breakout.open', {
      mode: 'manual',
      rooms: 2,
      minutes: 10,
      assignments: { leo: 1, mia: 1 },
    });
    await call(leo, 'breakout.chat.send', { text: 'mon numéro : 06 12 34 56 78' });
    const kept = await call(mia, 'breakout.chat.send', { text: 'Ne le partage pas.' });
    await fanout.publish(PERSON_ERASED_CHANNEL, JSON.stringify({ person: 'leo' }));
    await expect
      .poll(async () => (await call(mia, 'breakout.state', {})).chat.map((m) => m.messageId))
      .toEqual([kept.messageId]);
  });
});
