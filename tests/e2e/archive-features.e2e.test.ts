import {
  CLASSROOM_SOCKET_PATH,
  type ClassroomClientToServer,
  type ClassroomServerToClient,
  type DocChange,
  PROTOCOL_VERSION,
  type Result,
  type SessionSummary,
  type TokenResponse,
} from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, demoDirectory, verifyBundle } from '@preau/storage';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { launchChromium } from '../support/browser';
import { createDocFromPage, saveState } from '../support/docs';
import { startTestPreau } from '../support/preau';
import { type ApiSession, signIn, signInApi } from '../support/signin';

type LiveSocket = Socket<ClassroomServerToClient, ClassroomClientToServer>;

const classA = classIdOf(DEMO_SCHOOLS.college.uai, '3e A');
const space = `class_${classA}`;
const student = demoDirectory().accounts.find((a) => a.className === '3e A')!;

async function data<T>(res: Response): Promise<T> {
  const body = (await res.json()) as Result<T>;
  if (!body.ok) throw new Error(`${res.status} ${body.error.code}`);
  return body.data;
}

function send(socket: LiveSocket, event: string, payload: unknown): Promise<Result<unknown>> {
  return new Promise((resolve) =>
    (
      socket.emit as unknown as (e: string, p: unknown, a: (r: Result<unknown>) => void) => void
    ).call(socket, event, payload, resolve),
  );
}

const createDoc = (page: Page, baseUrl: string, title: string, kind: 'pad' | 'board') =>
  createDocFromPage(page, baseUrl, classA, title, kind);

/**
 * The real features record, the archive finds: a pad typed in and a board
 * drawn on in Chromium, a live session over socket.io with chat and a
 * moderation act; then a case, a hold, a sealed export that verifies.
 */
describe('the archivist finds what the pads, boards and live class recorded', () => {
  let preau: RunningPreau;
  let browser: Browser;
  let teacher: Page;
  let archivist: ApiSession;
  let padId: string;
  let boardId: string;
  let studentId: string;
  const sockets: LiveSocket[] = [];

  beforeAll(async () => {
    [preau, browser] = await Promise.all([startTestPreau(), launchChromium()]);
    teacher = await (await browser.newContext()).newPage();
    await signIn(teacher, preau.url, 'prof.martin');
    archivist = await signInApi(preau.url, 'archiviste');
    studentId = (
      await preau.services.database.db
        .selectFrom('person')
        .select('id')
        .where('login', '=', student.login)
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await browser?.close();
    await preau?.close();
  });

  it('records a pad, a board and a live session through the features themselves', async () => {
    padId = await createDoc(teacher, preau.url, 'Compte rendu archivé', 'pad');
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await teacher.locator('.pad-content').click();
    await teacher.keyboard.type('Sortie au château de Fougères.');
    await expect.poll(() => saveState(teacher)).toBe('saved');

    boardId = await createDoc(teacher, preau.url, 'Plan du château', 'board');
    // A fresh load of the board, as a person opening it would.
    await teacher.goto(`${preau.url}/docs/${boardId}`);
    await expect.poll(() => saveState(teacher)).toBe('saved');
    await expect
      .poll(() => teacher.getByRole('button', { name: 'Exporter en PNG' }).isEnabled())
      .toBe(true);
    // A rectangle drawn with Excalidraw's shortcut and a drag, as a person would.
    await teacher.locator('label:has([data-testid="toolbar-rectangle"])').click();
    // Measured after the click, which may scroll the page; clear of the style panel on the left.
    const box = (await teacher.locator('.board-host').boundingBox())!;
    await teacher.mouse.move(box.x + 450, box.y + 150);
    await teacher.mouse.down();
    await teacher.mouse.move(box.x + 520, box.y + 200, { steps: 4 });
    await teacher.mouse.move(box.x + 600, box.y + 260, { steps: 4 });
    await teacher.mouse.up();
    await teacher.keyboard.press('Escape');
    await expect.poll(() => teacher.locator('.board-count').getAttribute('data-count')).toBe('1');
    await expect.poll(() => saveState(teacher)).toBe('saved');

    const teacherApi = await signInApi(preau.url, 'prof.martin');
    const studentApi = await signInApi(preau.url, student.login);
    const session = await data<SessionSummary>(
      await teacherApi.fetch('/api/live/sessions', { body: { classId: classA } }),
    );
    const connect = async (who: ApiSession) => {
      const { token } = await data<TokenResponse>(
        await who.fetch('/api/tokens', {
          body: { audience: 'preau:classroom', space, session: session.sessionId },
        }),
      );
      const socket: LiveSocket = io(preau.url, {
        path: CLASSROOM_SOCKET_PATH,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { protocol: PROTOCOL_VERSION, token, session: session.sessionId },
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      expect((await send(socket, 'session.join', {})).ok).toBe(true);
      return socket;
    };
    const teacherSocket = await connect(teacherApi);
    const studentSocket = await connect(studentApi);
    expect((await send(studentSocket, 'chat.send', { text: 'On part à quelle heure ?' })).ok).toBe(
      true,
    );
    expect((await send(teacherSocket, 'moderation.mute', { participantId: studentId })).ok).toBe(
      true,
    );
    expect((await send(studentSocket, 'session.leave', {})).ok).toBe(true);
  });

  it('finds each act, with names, and exports a bundle whose documents and chat are readable', async () => {
    const search = async (query: string) =>
      data<{
        records: Array<{
          kind: string;
          subject: string | null;
          actorName: string | null;
          payload: Record<string, unknown> | null;
          change?: DocChange | null;
        }>;
      }>(await archivist.fetch(`/api/archive/search?space=${space}&limit=500&${query}`));
    // The background archiver drains the outbox within a second or so.
    await expect
      .poll(async () => (await search('kind=session.left')).records.length)
      .toBeGreaterThan(0);
    const pad = (await search('kind=doc.update')).records.filter((r) => r.subject === padId);
    expect(pad.length).toBeGreaterThan(0);
    expect(pad[0]!.actorName).toBe('Claire Martin');
    // What each edit changed, rebuilt from the archived updates: the pad's text as typed, in order…
    const typed = pad
      .map((r) => r.change)
      .map((c) => (c?.doc === 'pad' ? c.insertedText : ''))
      .join('');
    expect(typed).toContain('Sortie au château de Fougères.');
    expect(pad.every((r) => r.change?.title === 'Compte rendu archivé')).toBe(true);
    // …and the rectangle drawn on the board.
    const board = (await search('kind=doc.update')).records.filter((r) => r.subject === boardId);
    const added = board.flatMap((r) => (r.change?.doc === 'board' ? r.change.elements : []));
    expect(added).toContain('rectangle');
    expect(board.every((r) => r.change?.title === 'Plan du château')).toBe(true);
    const chat = (await search('kind=chat.message')).records;
    expect(chat.map((r) => [r.payload?.text, r.actorName])).toContainEqual([
      'On part à quelle heure ?',
      student.name,
    ]);
    const moderation = (await search('kind=session.moderation')).records;
    expect(moderation.map((r) => r.payload)).toContainEqual(
      expect.objectContaining({ action: 'mute', target: studentId, targetName: student.name }),
    );
    expect((await search('kind=session.joined')).records.length).toBeGreaterThanOrEqual(2);

    const kase = await data<{ id: string }>(
      await archivist.fetch('/api/archive/cases', {
        body: {
          reference: 'PV-FEATURES',
          legalBasis: 'Réquisition',
          authority: 'Parquet de Rennes',
        },
      }),
    );
    await data(await archivist.fetch(`/api/archive/cases/${kase.id}/holds`, { body: { space } }));
    const view = await data<{ id: string }>(
      await archivist.fetch(`/api/archive/cases/${kase.id}/exports`, { body: {} }),
    );
    const zip = new Uint8Array(
      await (
        await archivist.fetch(`/api/archive/cases/${kase.id}/exports/${view.id}`)
      ).arrayBuffer(),
    );
    const report = verifyBundle(zip);
    expect(report.problems).toEqual([]);
    const files = unzipSync(zip);
    const names = Object.keys(files);
    const text = (name: string) => new TextDecoder().decode(files[name]);
    const padFile = names.find((n) => n.startsWith(`documents/${space}/${padId}/`))!;
    expect(text(padFile)).toContain('Sortie au château de Fougères.');
    const boardFile = names.find((n) => n.startsWith(`documents/${space}/${boardId}/`))!;
    expect(boardFile).toMatch(/\.svg$/);
    expect(text(boardFile)).toContain('<rect');
    expect(text(`transcripts/${space}.txt`)).toContain(
      `${student.name} (${studentId}) : On part à quelle heure ?`,
    );
  });
});
