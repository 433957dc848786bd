import { CLOSE_CODES, type ConnectRefusal, PROTOCOL_VERSION } from '@preau/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, person, startHarness } from './test/harness';

describe('classroom handshake', () => {
  let h: Harness;
  let sessionId: string;
  beforeAll(async () => {
    h = await startHarness();
    sessionId = await h.startSession('3eB', 't1');
  });
  afterAll(() => h?.close());

  async function refusal(auth: Record<string, unknown>): Promise<ConnectRefusal> {
    const err = await h.connect(auth).then(
      () => {
        throw new Error('connected, but should have been refused');
      },
      (e: Error & { data?: ConnectRefusal }) => e,
    );
    return err.data as ConnectRefusal;
  }

  it('accepts a token for this session’s space', async () => {
    const token = await h.mint(person('s1', '3eB', 'student'));
    const socket = await h.connect({ token, session: sessionId });
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('refuses a socket with no token', async () => {
    expect(await refusal({ session: sessionId })).toMatchObject({
      code: 'unauthenticated',
      close: CLOSE_CODES.unauthenticated,
    });
  });

  it('refuses a bad token, a forged one and one for another audience', async () => {
    expect((await refusal({ token: 'not-a-jwt', session: sessionId })).code).toBe(
      'unauthenticated',
    );
    const good = await h.mint(person('s1', '3eB', 'student'));
    const [head, , sig] = good.split('.');
    const forged = `${head}.${Buffer.from(
      JSON.stringify({ ...person('s1', '3eB', 'teacher'), aud: 'preau:classroom' }),
    ).toString('base64url')}.${sig}`;
    expect((await refusal({ token: forged, session: sessionId })).code).toBe('unauthenticated');
    const docs = await h.mint(person('s1', '3eB', 'student'), 'preau:docs');
    expect((await refusal({ token: docs, session: sessionId })).code).toBe('unauthenticated');
  });

  it('refuses a token for another space or another session', async () => {
    const otherClass = await h.mint(person('s1', '4eA', 'student'));
    expect(await refusal({ token: otherClass, session: sessionId })).toMatchObject({
      code: 'forbidden',
      close: CLOSE_CODES.forbidden,
    });
    const otherSession = await h.mint(person('s1', '3eB', 'student', { session: 'ls_other' }));
    expect((await refusal({ token: otherSession, session: sessionId })).code).toBe('forbidden');
  });

  it('refuses an unknown session and another protocol version', async () => {
    const token = await h.mint(person('s1', '3eB', 'student'));
    expect(await refusal({ token, session: 'ls_nope' })).toMatchObject({
      code: 'not_found',
      close: CLOSE_CODES.notFound,
    });
    expect(
      await refusal({ token, session: sessionId, protocol: PROTOCOL_VERSION + 1 }),
    ).toMatchObject({ code: 'protocol_mismatch', close: CLOSE_CODES.protocolMismatch });
  });

  it('loads no session for a refused token', async () => {
    const fresh = await h.startSession('5eC', 't9');
    await refusal({ token: 'garbage', session: fresh });
    expect(await h.classroom.registry.loaded(fresh)).toBeUndefined();
  });
});
