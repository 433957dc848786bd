import {
  classSpaceId,
  type MarkView,
  type PresentationView,
  type ServerEvent,
} from '@preau/protocol';
import { eraseMarksOf, insertSpaceFile, marksOfFile, readOutbox } from '@preau/storage';
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

// A teacher presents a PDF of the class's files over real sockets: every
// participant follows the page, a late joiner lands on it, marks are drawn,
// kept with the file and traced; a student given control turns the pages.
describe('presenting a PDF in a live session', () => {
  let h: Harness;
  let sessionId: string;
  let teacher: ClassroomSocket;
  let ana: ClassroomSocket;
  let ben: ClassroomSocket;
  const space = classSpaceId('4eR');
  const file = (id: string, mimeType: string) =>
    insertSpaceFile(h.database.db, {
      id,
      spaceId: space,
      name: `${id}.pdf`,
      objectKey: `spaces/${space}/files/${id}`,
      mimeType,
      size: 1000,
      sha256: 'ab'.repeat(32),
      uploadedBy: 'profR',
      uploadedAt: new Date(),
    });
  const updates = (r: ReturnType<typeof recorder>) =>
    r.of<ServerEvent<'presentation.updated'>>('presentation.updated').map((u) => u.presentation);

  beforeAll(async () => {
    h = await startHarness({ rateRules: { moderation: { capacity: 100, perSecond: 100 } } });
    sessionId = await h.startSession('4eR', 'profR');
    teacher = await h.join(sessionId, person('profR', '4eR', 'teacher'));
    ana = await h.join(sessionId, person('ana', '4eR', 'student'));
    ben = await h.join(sessionId, person('ben', '4eR', 'student'));
    await file('fcours', 'application/pdf');
    await file('fimage', 'image/png');
  });
  afterAll(() => h?.close());

  it('refuses a student, a file of no PDF, and a file that is not the space’s', async () => {
    expect(await request(ana, 'presentation.open', { fileId: 'fcours', pages: 5 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await request(teacher, 'presentation.open', { fileId: 'fimage', pages: 5 }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(
      await request(teacher, 'presentation.open', { fileId: 'fnowhere', pages: 5 }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await request(teacher, 'presentation.page', { page: 2 })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('shows the same page to everyone; only the teacher turns it; a late joiner lands on it with its marks', async () => {
    const anaSees = recorder(ana);
    const opened = await call(teacher, 'presentation.open', { fileId: 'fcours', pages: 5 });
    expect(opened).toMatchObject({ fileId: 'fcours', name: 'fcours.pdf', page: 1, pages: 5 });
    await expect.poll(() => updates(anaSees).at(-1)?.page).toBe(1);

    expect(await request(ana, 'presentation.page', { page: 2 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await request(teacher, 'presentation.page', { page: 6 })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    await call(teacher, 'presentation.page', { page: 3 });
    await expect.poll(() => updates(anaSees).at(-1)?.page).toBe(3);

    const mark = await call(teacher, 'presentation.mark', {
      page: 3,
      shape: {
        kind: 'stroke',
        colour: '#c0392b',
        points: [
          [0.1, 0.1],
          [0.5, 0.4],
        ],
      },
    });
    await expect.poll(() => anaSees.of<MarkView>('presentation.marked').length).toBe(1);
    expect(anaSees.of<MarkView>('presentation.marked')[0]).toEqual(mark);
    expect(
      await request(ben, 'presentation.mark', {
        page: 3,
        shape: { kind: 'note', colour: '#111111', at: [0.2, 0.2], text: 'moi aussi' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const cleo = await h.connect({
      token: await h.mint(person('cleo', '4eR', 'student')),
      session: sessionId,
    });
    const snapshot = await call(cleo, 'session.join', {});
    expect(snapshot.presentation).toMatchObject({ fileId: 'fcours', page: 3, controller: null });
    expect(snapshot.presentation?.marks.map((m) => m.markId)).toEqual([mark.markId]);
  });

  it('lets a student the teacher allows turn the pages and draw, until the teacher takes it back', async () => {
    const benSees = recorder(ben);
    await call(teacher, 'presentation.control', { participantId: 'ana' });
    await expect.poll(() => updates(benSees).at(-1)?.controller).toBe('ana');
    await call(ana, 'presentation.page', { page: 4 });
    await expect.poll(() => updates(benSees).at(-1)?.page).toBe(4);
    const note = await call(ana, 'presentation.mark', {
      page: 4,
      shape: { kind: 'note', colour: '#1f5fbf', at: [0.3, 0.6], text: 'Théorème de Pythagore' },
    });
    expect(note.by).toBe('ana');
    expect(await request(ben, 'presentation.page', { page: 2 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await request(ana, 'presentation.control', { participantId: 'ben' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await call(teacher, 'presentation.control', { participantId: null });
    expect(await request(ana, 'presentation.page', { page: 1 })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('keeps the marks with the file after the presentation closes, clears a page, and traces it all', async () => {
    const anaSees = recorder(ana);
    await call(teacher, 'presentation.close', {});
    await expect.poll(() => updates(anaSees).at(-1)).toBeNull();

    const again = await call(teacher, 'presentation.open', { fileId: 'fcours', pages: 5 });
    expect(again.page).toBe(1);
    await call(teacher, 'presentation.page', { page: 3 });
    await expect.poll(() => updates(anaSees).at(-1)?.marks.length).toBe(1);
    expect((await marksOfFile(h.database.db, 'fcours')).map((m) => m.page)).toEqual([3, 4]);

    await call(teacher, 'presentation.clear', { page: 3 });
    await expect
      .poll(() => anaSees.of<ServerEvent<'presentation.cleared'>>('presentation.cleared'))
      .toEqual([{ page: 3 }]);
    expect((await marksOfFile(h.database.db, 'fcours')).map((m) => m.page)).toEqual([4]);

    const traces = await readOutbox(h.database.db, space);
    const kinds = traces.filter((t) => t.kind.startsWith('presentation.')).map((t) => t.kind);
    expect(kinds).toEqual([
      'presentation.opened',
      'presentation.page',
      'presentation.marked',
      'presentation.control',
      'presentation.page',
      'presentation.marked',
      'presentation.control',
      'presentation.closed',
      'presentation.opened',
      'presentation.page',
      'presentation.cleared',
    ]);
    const opened = traces.find((t) => t.kind === 'presentation.opened')!;
    expect(opened.payload).toMatchObject({ file: 'fcours', sha256: 'ab'.repeat(32), pages: 5 });
    // What was drawn stays in the archive even once the page is cleared.
    const drawn = traces.filter((t) => t.kind === 'presentation.marked');
    expect(drawn.map((t) => [t.actor, t.subject, t.payload.page])).toEqual([
      ['profR', 'fcours', 3],
      ['ana', 'fcours', 4],
    ]);
    expect(drawn[1]!.payload.shape).toMatchObject({ kind: 'note', text: 'Théorème de Pythagore' });
  });

  it('erases the marks of a person who is erased', async () => {
    expect(await eraseMarksOf(h.database.db, 'ana')).toBe(1);
    expect(await marksOfFile(h.database.db, 'fcours')).toEqual([]);
  });

  it('closes the presentation when the session ends', async () => {
    const current = (await call(teacher, 'session.join', {})).presentation as PresentationView;
    expect(current.page).toBe(3);
    await call(teacher, 'session.end', {});
    const traces = await readOutbox(h.database.db, space);
    const closed = traces.filter((t) => t.kind === 'presentation.closed').at(-1)!;
    expect(closed.subject).toBe(current.presentationId);
    expect(closed.payload).toMatchObject({ reason: 'ended' });
  });
});
