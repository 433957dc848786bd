import { LIVE_SESSION_ENDED_CHANNEL, type LiveSessionEndedNotice } from '@preau/protocol';
import {
  endLiveSession,
  getSession,
  listAttendance,
  MemoryFanout,
  readOutbox,
} from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSessionTimeouts } from './config';
import { type Harness, person, recorder, startHarness } from './test/harness';

/** Sessions end by themselves when nobody is in them, with a short timeout for the test. */
describe('a live session nobody is in', () => {
  let h: Harness;
  const fanout = new MemoryFanout();
  // Short on purpose: production's is LIVE_EMPTY_SESSION_SECONDS (15 min by default).
  const emptySessionMs = 600;

  beforeAll(async () => {
    h = await startHarness({ fanout, timeouts: { emptySessionMs, idleSweepMs: 150 } });
  });
  afterAll(async () => {
    await h?.close();
    await fanout.close();
  });

  const phase = async (id: string) => (await getSession(h.database.db, id))?.phase;

  it('ends by itself when it was started and nobody ever came (the sweep)', async () => {
    const id = await h.startSession('5eA', 'teacher1');
    expect(await phase(id)).toBe('live');
    // Not before the timeout…
    await new Promise((r) => setTimeout(r, emptySessionMs / 3));
    expect(await phase(id)).toBe('live');
    // …but soon after it.
    await expect.poll(() => phase(id), { timeout: 5000 }).toBe('ended');
    const kinds = (await readOutbox(h.database.db, 'class_5eA')).map((r) => [r.kind, r.actor]);
    expect(kinds.at(-1)).toEqual(['session.ended', 'system']);
  });

  it('ends by itself once everyone has left, their stays closed', async () => {
    const id = await h.startSession('5eB', 'teacher2');
    const teacher = await h.join(id, person('teacher2', '5eB', 'teacher'));
    const alice = await h.join(id, person('alice', '5eB', 'student'));
    // People inside: it stays live well past the timeout.
    await new Promise((r) => setTimeout(r, emptySessionMs * 2));
    expect(await phase(id)).toBe('live');
    teacher.disconnect();
    alice.disconnect();
    await expect.poll(() => phase(id), { timeout: 5000 }).toBe('ended');
    const stays = await listAttendance(h.database.db, id);
    expect(stays).toHaveLength(2);
    expect(stays.every((s) => s.leftAt !== null)).toBe(true);
  });

  it('puts people out when the session is ended from outside (a teacher started another)', async () => {
    const id = await h.startSession('5eC', 'teacher3');
    const alice = await h.join(id, person('alice', '5eC', 'student'));
    const seen = recorder(alice);
    const at = new Date();
    expect(await endLiveSession(h.database.db, { id, by: 'teacher3', at })).toBe(true);
    // Twice is nothing: already over.
    expect(await endLiveSession(h.database.db, { id, by: 'teacher3', at })).toBe(false);
    const notice: LiveSessionEndedNotice = { session: id, endedAt: at.toISOString() };
    await fanout.publish(LIVE_SESSION_ENDED_CHANNEL, JSON.stringify(notice));
    await expect.poll(() => seen.of('session.kicked')).toEqual([{ reason: 'ended' }]);
    expect(seen.of('session.ended')).toHaveLength(1);
    const stays = await listAttendance(h.database.db, id);
    expect(stays).toEqual([expect.objectContaining({ personId: 'alice', leaveReason: 'ended' })]);
    const kinds = (await readOutbox(h.database.db, 'class_5eC')).map((r) => r.kind);
    expect(kinds.filter((k) => k === 'session.left')).toHaveLength(1);
    expect(kinds.at(-1)).toBe('session.ended');
  });

  it('reads its timeout from LIVE_EMPTY_SESSION_SECONDS, and refuses a bad one', () => {
    expect(readSessionTimeouts({})).toEqual({ emptySessionMs: 900_000, idleSweepMs: 60_000 });
    expect(readSessionTimeouts({ LIVE_EMPTY_SESSION_SECONDS: '20' })).toEqual({
      emptySessionMs: 20_000,
      idleSweepMs: 5000,
    });
    expect(() => readSessionTimeouts({ LIVE_EMPTY_SESSION_SECONDS: '0' })).toThrow(
      /LIVE_EMPTY_SESSION_SECONDS/,
    );
  });
});
