import { classSpaceId, type PollResults, type PollView, type ServerEvent } from '@preau/protocol';
import { answersOfPoll, erasePollAnswersOf, expirePolls, readOutbox } from '@preau/storage';
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

// Polls over real sockets with real tokens: a teacher asks, students answer
// once, the teacher sees live results, stops and publishes; an anonymous
// poll leaves no person id in its stored rows nor in its traces.
describe('polls in a live session', () => {
  let h: Harness;
  let sessionId: string;
  let teacher: ClassroomSocket;
  let ana: ClassroomSocket;
  let ben: ClassroomSocket;
  let cleo: ClassroomSocket;
  const space = classSpaceId('5eP');

  beforeAll(async () => {
    // Answers share the chat's rate; these students answer faster than anyone in class.
    h = await startHarness({ rateRules: { chat: { capacity: 100, perSecond: 100 } } });
    sessionId = await h.startSession('5eP', 'profP');
    const join = (sub: string, kind: 'teacher' | 'student') =>
      h.join(sessionId, person(sub, '5eP', kind));
    teacher = await join('profP', 'teacher');
    ana = await join('ana', 'student');
    ben = await join('ben', 'student');
    cleo = await join('cleo', 'student');
  });
  afterAll(() => h?.close());

  it('refuses a student who tries to start, stop or read a poll', async () => {
    const asked = await request(ana, 'poll.create', {
      kind: 'yes_no',
      question: 'Interro ?',
      anonymous: false,
    });
    expect(asked).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM live_poll`.execute(
      h.database.db,
    );
    expect(Number(stored.rows[0]?.n)).toBe(0);
  });

  it('runs a named single-choice poll: live results to the teacher, one answer each, stop, publish', async () => {
    const teacherSees = recorder(teacher);
    const benSees = recorder(ben);
    const poll = await call(teacher, 'poll.create', {
      kind: 'single',
      question: 'Quelle planète est la plus grande ?',
      options: ['Mars', 'Jupiter', 'Vénus'],
      anonymous: false,
    });
    expect(poll).toMatchObject({
      state: 'open',
      published: false,
      options: ['Mars', 'Jupiter', 'Vénus'],
    });
    await expect.poll(() => benSees.of<PollView>('poll.updated').length).toBe(1);
    // One open poll at a time.
    expect(
      await request(teacher, 'poll.create', { kind: 'text', question: 'Et ?', anonymous: true }),
    ).toMatchObject({ ok: false, error: { code: 'conflict' } });

    await call(ana, 'poll.answer', { pollId: poll.pollId, choices: [1] });
    await call(ben, 'poll.answer', { pollId: poll.pollId, choices: [0] });
    // Twice, two choices, an option that does not exist: refused.
    expect(await request(ana, 'poll.answer', { pollId: poll.pollId, choices: [2] })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(
      await request(cleo, 'poll.answer', { pollId: poll.pollId, choices: [0, 1] }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await request(cleo, 'poll.answer', { pollId: poll.pollId, choices: [7] })).toMatchObject(
      { ok: false, error: { code: 'bad_request' } },
    );
    // Students never receive live results.
    await expect
      .poll(() => teacherSees.of<PollResults>('poll.results').at(-1)?.respondents)
      .toBe(2);
    const live = teacherSees.of<PollResults>('poll.results').at(-1)!;
    expect(live.counts).toEqual([1, 1, 0]);
    expect(live.named?.map((a) => [a.participantId, a.choices])).toEqual([
      ['ana', [1]],
      ['ben', [0]],
    ]);
    expect(benSees.of('poll.results')).toEqual([]);

    const closed = await call(teacher, 'poll.close', { pollId: poll.pollId });
    expect(closed.state).toBe('closed');
    expect(await request(cleo, 'poll.answer', { pollId: poll.pollId, choices: [1] })).toMatchObject(
      { ok: false, error: { code: 'conflict' } },
    );
    expect(await request(ben, 'poll.publish', { pollId: poll.pollId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    const published = await call(teacher, 'poll.publish', { pollId: poll.pollId });
    expect(published).toEqual({
      pollId: poll.pollId,
      respondents: 2,
      counts: [1, 1, 0],
      texts: [],
    });
    await expect.poll(() => benSees.of('poll.published').length).toBe(1);
    const seen = benSees.of<ServerEvent<'poll.published'>>('poll.published')[0]!;
    // The class sees aggregates only, never who answered what.
    expect(seen.results.named).toBeUndefined();
    expect(seen.poll.published).toBe(true);

    // Stored with who answered (a named poll), and kept: a rejoin finds the published results.
    const rows = await sql<{ person_id: string | null }>`
      SELECT person_id FROM live_poll_answer WHERE poll_id = ${poll.pollId} ORDER BY person_id`.execute(
      h.database.db,
    );
    expect(rows.rows.map((r) => r.person_id)).toEqual(['ana', 'ben']);
    const again = await call(cleo, 'session.join', {});
    expect(again.polls?.find((p) => p.poll.pollId === poll.pollId)).toMatchObject({
      poll: { published: true, state: 'closed' },
      results: { counts: [1, 1, 0] },
    });
    const kinds = (await readOutbox(h.database.db, space))
      .filter((t) => t.subject === poll.pollId)
      .map((t) => [t.kind, t.actor]);
    expect(kinds).toEqual([
      ['poll.created', 'profP'],
      ['poll.answered', 'ana'],
      ['poll.answered', 'ben'],
      ['poll.closed', 'profP'],
      ['poll.published', 'profP'],
    ]);
  });

  it('stores and traces an anonymous poll’s answers without any person id, and still refuses a second answer', async () => {
    const poll = await call(teacher, 'poll.create', {
      kind: 'text',
      question: 'Un mot sur le cours ?',
      anonymous: true,
    });
    await call(ana, 'poll.answer', { pollId: poll.pollId, text: 'clair' });
    await call(ben, 'poll.answer', { pollId: poll.pollId, text: 'trop rapide' });
    expect(
      await request(ana, 'poll.answer', { pollId: poll.pollId, text: 'encore' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    const results = await call(teacher, 'poll.results', { pollId: poll.pollId });
    expect(results).toEqual({
      pollId: poll.pollId,
      respondents: 2,
      counts: [],
      texts: ['clair', 'trop rapide'],
    });
    await call(teacher, 'poll.close', { pollId: poll.pollId });

    const people = ['ana', 'ben', 'cleo'];
    const rows = await sql<Record<string, unknown>>`
      SELECT * FROM live_poll_answer WHERE poll_id = ${poll.pollId}`.execute(h.database.db);
    expect(rows.rows).toHaveLength(2);
    for (const row of rows.rows) {
      expect(row.person_id).toBeNull();
      expect(row.person_name).toBeNull();
      const text = JSON.stringify(row);
      for (const p of people) expect(text).not.toContain(`"${p}"`);
    }
    const answers = (await readOutbox(h.database.db, space)).filter(
      (t) => t.subject === poll.pollId && t.kind === 'poll.answered',
    );
    expect(answers).toHaveLength(2);
    for (const t of answers) {
      expect(t.actor).toBe('anonymous');
      const text = JSON.stringify(t.payload);
      for (const p of people) expect(text).not.toContain(p);
    }
    // The table itself refuses a person id on an anonymous answer.
    await expect(
      sql`INSERT INTO live_poll_answer (id, poll_id, anonymous, person_id, answered_at)
          VALUES ('pa_x', ${poll.pollId}, true, 'ana', now())`.execute(h.database.db),
    ).rejects.toThrow();
  });

  it('takes several choices in a multiple-choice poll, and yes or no in a yes/no poll', async () => {
    const multi = await call(teacher, 'poll.create', {
      kind: 'multiple',
      question: 'Quels outils ?',
      options: ['Règle', 'Compas', 'Équerre'],
      anonymous: true,
    });
    await call(ana, 'poll.answer', { pollId: multi.pollId, choices: [2, 0] });
    await call(ben, 'poll.answer', { pollId: multi.pollId, choices: [0] });
    expect((await call(teacher, 'poll.results', { pollId: multi.pollId })).counts).toEqual([
      2, 0, 1,
    ]);
    await call(teacher, 'poll.close', { pollId: multi.pollId });

    const yesNo = await call(teacher, 'poll.create', {
      kind: 'yes_no',
      question: 'Avez-vous fini ?',
      anonymous: false,
    });
    expect(yesNo.options).toEqual(['Oui', 'Non']);
    await call(cleo, 'poll.answer', { pollId: yesNo.pollId, choices: [0] });
    expect(await request(ana, 'poll.answer', { pollId: yesNo.pollId, text: 'oui' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    const published = await call(teacher, 'poll.publish', { pollId: yesNo.pollId });
    expect(published.counts).toEqual([1, 0]);
  });

  it('follows an erasure (named answers lose who gave them and their text, keep their count) and retention', async () => {
    const poll = await call(teacher, 'poll.create', {
      kind: 'text',
      question: 'Votre prénom préféré ?',
      anonymous: false,
    });
    await call(ana, 'poll.answer', { pollId: poll.pollId, text: 'Ana' });
    await call(ben, 'poll.answer', { pollId: poll.pollId, text: 'Benoît' });
    await call(teacher, 'poll.close', { pollId: poll.pollId });
    expect(await erasePollAnswersOf(h.database.db, 'ana', new Date())).toBeGreaterThan(0);
    const answers = await answersOfPoll(h.database.db, poll.pollId);
    expect(answers.map((a) => [a.personId, a.text])).toEqual([
      [null, ''],
      ['ben', 'Benoît'],
    ]);
    const everything = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM live_poll_answer WHERE person_id = 'ana'`.execute(
      h.database.db,
    );
    expect(Number(everything.rows[0]?.n)).toBe(0);

    // Retention: polls past their space's cutoff go with their answers.
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM live_poll`.execute(
      h.database.db,
    );
    const swept = await expirePolls(h.database.db, {
      before: new Date(Date.now() + 60_000),
      cutoffOf: async () => new Date(Date.now() + 60_000),
    });
    expect(swept.removed).toBe(Number(before.rows[0]?.n));
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM live_poll_answer`.execute(
      h.database.db,
    );
    expect(Number(left.rows[0]?.n)).toBe(0);
  });
});
