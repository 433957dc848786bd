import type { SessionSnapshot } from '@preau/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, person, recorder, request, startHarness } from './test/harness';

// Tokens live minutes and classes an hour: a socket renews its token in
// place, and one that lets it lapse is put out.
describe('renewing the capability token of an open socket', () => {
  let h: Harness;
  let sessionId: string;
  beforeAll(async () => {
    h = await startHarness({ timeouts: { tokenGraceMs: 300 } });
    sessionId = await h.startSession('3eB', 't1');
  });
  afterAll(() => h?.close());

  it('puts out a socket whose token lapses unrenewed, and says why', async () => {
    const token = await h.mint(person('s1', '3eB', 'student'), 'preau:classroom', 2);
    const socket = await h.connect({ token, session: sessionId });
    const events = recorder(socket);
    await call(socket, 'session.join', {});
    await expect.poll(() => socket.connected, { timeout: 10_000 }).toBe(false);
    expect(events.of('session.kicked')).toEqual([{ reason: 'expired' }]);
  });

  it('keeps a socket that renews past its first token’s expiry', async () => {
    const claims = person('s2', '3eB', 'student');
    const socket = await h.connect({
      token: await h.mint(claims, 'preau:classroom', 2),
      session: sessionId,
    });
    const events = recorder(socket);
    await call(socket, 'session.join', {});
    const renewed = await call(socket, 'session.renew', { token: await h.mint(claims) });
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now() + 50_000);
    // Well past the first token's expiry and grace, the socket is still in the session.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(socket.connected).toBe(true);
    expect(events.of('session.kicked')).toEqual([]);
    const snapshot = (await call(socket, 'session.join', {})) as SessionSnapshot;
    expect(snapshot.participants.some((p) => p.participantId === 's2')).toBe(true);
    socket.close();
  });

  it('refuses a renewal with another person’s, another space’s or a bad token, changing nothing', async () => {
    const claims = person('s3', '3eB', 'student');
    // Renewals share the session events' rate limit: two sockets share the tries.
    const batches = [
      [
        await h.mint(person('s4', '3eB', 'student')),
        await h.mint(person('s3', '4eA', 'student')),
        await h.mint(person('s3', '3eB', 'student', { session: 'ls_other' })),
      ],
      [await h.mint(claims, 'preau:docs'), 'not-a-jwt', ''],
    ];
    const codes: string[] = [];
    for (const tokens of batches) {
      const socket = await h.connect({ token: await h.mint(claims), session: sessionId });
      await call(socket, 'session.join', {});
      for (const token of tokens) {
        const result = await request(socket, 'session.renew', { token });
        codes.push(result.ok ? 'ok' : result.error.code);
      }
      expect(socket.connected).toBe(true);
      socket.close();
    }
    expect(codes).toEqual([
      'forbidden',
      'forbidden',
      'forbidden',
      'unauthenticated',
      'unauthenticated',
      'bad_request',
    ]);
  });

  it('makes a socket rejoin when the renewed token carries other rights', async () => {
    const socket = await h.connect({
      token: await h.mint(person('s5', '3eB', 'student')),
      session: sessionId,
    });
    await call(socket, 'session.join', {});
    let disconnected = false;
    socket.on('disconnect', () => {
      disconnected = true;
    });
    const readOnly = await h.mint(person('s5', '3eB', 'student', { rights: ['read'] }));
    expect((await request(socket, 'session.renew', { token: readOnly })).ok).toBe(true);
    await expect.poll(() => disconnected).toBe(true);
  });
});
