import {
  CLASSROOM_LIMITS,
  CLASSROOM_SOCKET_PATH,
  type ClassroomClientToServer,
  type ClassroomServerToClient,
  type ConnectRefusal,
  PROTOCOL_VERSION,
  type Result,
  type SessionSummary,
  type TokenResponse,
} from '@preau/protocol';
import { classIdOf, DEMO_SCHOOLS, demoDirectory } from '@preau/storage';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPreau } from '../../web/server/app';
import { startTestPreau } from '../support/preau';
import { type ApiSession, signInApi } from '../support/signin';

type LiveSocket = Socket<ClassroomServerToClient, ClassroomClientToServer>;

const college = DEMO_SCHOOLS.college.uai;
const classA = classIdOf(college, '3e A');
const classB = classIdOf(college, '4e B');
const studentA = demoDirectory().accounts.find((a) => a.className === '3e A')!;

/**
 * The edge of live sessions on the whole of Préau: real sign-in, tokens from
 * POST /api/tokens, sessions from POST /api/live/sessions, raw sockets.
 */
describe('live sessions refuse what they must, at the handshake and per event', () => {
  let preau: RunningPreau;
  let teacher: ApiSession;
  let student: ApiSession;
  let sessionA: SessionSummary;
  let sessionB: SessionSummary;
  const sockets: LiveSocket[] = [];

  async function data<T>(res: Response): Promise<T> {
    const body = (await res.json()) as Result<T>;
    if (!body.ok) throw new Error(`${res.status} ${body.error.code}`);
    return body.data;
  }

  async function tokenFor(who: ApiSession, classId: string, session: string) {
    const res = await who.fetch('/api/tokens', {
      body: { audience: 'preau:classroom', space: `class_${classId}`, session },
    });
    return (await data<TokenResponse>(res)).token;
  }

  function connect(auth: Record<string, unknown>): Promise<LiveSocket> {
    return new Promise((resolve, reject) => {
      const socket: LiveSocket = io(preau.url, {
        path: CLASSROOM_SOCKET_PATH,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { protocol: PROTOCOL_VERSION, ...auth },
      });
      sockets.push(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err: Error & { data?: ConnectRefusal }) => {
        socket.close();
        reject(err.data ?? err);
      });
    });
  }

  function send(socket: LiveSocket, event: string, payload: unknown): Promise<Result<unknown>> {
    return new Promise((resolve) =>
      (
        socket.emit as unknown as (e: string, p: unknown, a: (r: Result<unknown>) => void) => void
      ).call(socket, event, payload, resolve),
    );
  }

  beforeAll(async () => {
    preau = await startTestPreau();
    teacher = await signInApi(preau.url, 'prof.martin');
    student = await signInApi(preau.url, studentA.login);
    sessionA = await data(await teacher.fetch('/api/live/sessions', { body: { classId: classA } }));
    sessionB = await data(await teacher.fetch('/api/live/sessions', { body: { classId: classB } }));
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await preau?.close();
  });

  it('starts one session per class; a student may not start one, but lists it to join', async () => {
    const again = await teacher.fetch('/api/live/sessions', { body: { classId: classA } });
    expect(again.status).toBe(200);
    expect((await data<SessionSummary>(again)).sessionId).toBe(sessionA.sessionId);
    const refused = await student.fetch('/api/live/sessions', { body: { classId: classA } });
    expect(refused.status).toBe(403);
    const mine = await data<SessionSummary[]>(await student.fetch('/api/live/sessions'));
    expect(mine.map((s) => s.sessionId)).toEqual([sessionA.sessionId]);
  });

  it('refuses a socket with no token, a bad token, or a token for another session', async () => {
    await expect(connect({ session: sessionA.sessionId })).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    await expect(connect({ token: 'x.y.z', session: sessionA.sessionId })).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    // The teacher's genuine token for 4e B's session, presented for 3e A's.
    const forB = await tokenFor(teacher, classB, sessionB.sessionId);
    await expect(connect({ token: forB, session: sessionA.sessionId })).rejects.toMatchObject({
      code: 'forbidden',
    });
    // A student of 3e A gets no token for 4e B at all.
    const res = await student.fetch('/api/tokens', {
      body: { audience: 'preau:classroom', space: `class_${classB}`, session: sessionB.sessionId },
    });
    expect(res.status).toBe(403);
  });

  it('answers a malformed, oversized or out-of-role event with a typed error and changes nothing', async () => {
    const socket = await connect({
      token: await tokenFor(student, classA, sessionA.sessionId),
      session: sessionA.sessionId,
    });
    const joined = await send(socket, 'session.join', {});
    expect(joined.ok).toBe(true);

    expect(await send(socket, 'chat.send', { text: { $gt: '' } })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(
      await send(socket, 'chat.send', { text: 'a'.repeat(CLASSROOM_LIMITS.eventBytes * 2) }),
    ).toMatchObject({ ok: false, error: { code: 'too_large' } });
    for (const [event, payload] of [
      ['moderation.lock', { locked: true }],
      ['moderation.muteAll', {}],
      ['session.end', {}],
    ] as const) {
      expect(await send(socket, event, payload)).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    // A student deletes only their own messages: there is none by that id.
    expect(await send(socket, 'chat.delete', { messageId: 'm_x' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });

    const teacherSocket = await connect({
      token: await tokenFor(teacher, classA, sessionA.sessionId),
      session: sessionA.sessionId,
    });
    const view = (await send(teacherSocket, 'session.join', {})) as Result<{
      session: { phase: string; locked: boolean };
      chat: unknown[];
    }>;
    expect(view).toMatchObject({ ok: true, data: { session: { phase: 'live', locked: false } } });
    expect(view.ok && view.data.chat).toEqual([]);

    // A frame above the socket's ceiling is not even read: the connection goes.
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    (socket.emit as unknown as (e: string, p: unknown) => void).call(socket, 'chat.send', {
      text: 'b'.repeat(CLASSROOM_LIMITS.frameBytes + 1),
    });
    await closed;
    expect(await send(teacherSocket, 'chat.send', { text: 'toujours là' })).toMatchObject({
      ok: true,
    });
  });
});
