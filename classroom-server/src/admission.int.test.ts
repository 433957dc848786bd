import { CLOSE_CODES, type ConnectRefusal, type ErrorBody } from '@preau/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Harness, person, request, startHarness } from './test/harness';

async function until(check: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('admission control: a node at capacity', () => {
  let h: Harness;
  let sessionId: string;
  beforeAll(async () => {
    h = await startHarness({
      admission: { maxConnections: 2, maxJoinsInFlight: 1, maxJoinsWaiting: 0 },
    });
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

  it('answers busy with a retry delay at the handshake, then serves the join once there is room', async () => {
    const teacher = await h.join(sessionId, person('t1', '3eB', 'teacher'));
    const first = await h.join(sessionId, person('s1', '3eB', 'student'));
    expect(h.classroom.admission.stats().connections).toBe(2);

    const token = await h.mint(person('s2', '3eB', 'student'));
    const busy = await refusal({ token, session: sessionId });
    expect(busy).toMatchObject({ code: 'busy', close: CLOSE_CODES.busy });
    expect(busy.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Refused before the token is read: a full node spends nothing on it.
    expect((await refusal({ token: 'garbage', session: sessionId })).code).toBe('busy');
    expect(h.classroom.admission.stats().refusedConnections).toBe(2);

    first.close();
    await until(() => h.classroom.admission.stats().connections === 1);
    const late = await h.connect({ token, session: sessionId });
    const snapshot = await call(late, 'session.join', {});
    expect(snapshot.participants.map((p) => p.participantId).sort()).toEqual(['s2', 't1']);
    teacher.close();
    late.close();
    await until(() => h.classroom.admission.stats().connections === 0);
  });

  it('answers busy to a join beyond the joins in flight; the retried join is served', async () => {
    const a = await h.connect({
      token: await h.mint(person('s3', '3eB', 'student')),
      session: sessionId,
    });
    const b = await h.connect({
      token: await h.mint(person('s4', '3eB', 'student')),
      session: sessionId,
    });
    const [ra, rb] = await Promise.all([
      request(a, 'session.join', {}),
      request(b, 'session.join', {}),
    ]);
    expect(ra.ok).toBe(true);
    expect(rb.ok).toBe(false);
    const error = (rb as { ok: false; error: ErrorBody }).error;
    expect(error.code).toBe('busy');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(h.classroom.admission.stats()).toMatchObject({ joinsInFlight: 0, refusedJoins: 1 });
    const again = await call(b, 'session.join', {});
    expect(again.participants.map((p) => p.participantId).sort()).toEqual(['s3', 's4']);
    a.close();
    b.close();
  });
});
