import { describe, expect, it } from 'vitest';
import { Admission, readAdmissionLimits } from './admission';

describe('Admission', () => {
  it('counts slots, refuses beyond them with busy, and releases each once', () => {
    const admission = new Admission({
      maxConnections: 1,
      maxJoinsInFlight: 1,
      retryAfterSeconds: 3,
    });
    try {
      const release = admission.admitConnection();
      expect(() => admission.admitConnection()).toThrow(
        expect.objectContaining({ code: 'busy', retryAfterSeconds: 6 }),
      );
      release();
      release();
      expect(admission.stats().connections).toBe(0);
      const done = admission.beginJoin();
      expect(() => admission.beginJoin()).toThrow(expect.objectContaining({ code: 'busy' }));
      done();
      admission.beginJoin()();
      expect(admission.stats()).toMatchObject({
        joinsInFlight: 0,
        refusedConnections: 1,
        refusedJoins: 1,
      });
    } finally {
      admission.close();
    }
  });

  it('lets joins wait in line for a slot, in order, and says busy when the line is full or the wait too long', async () => {
    const admission = new Admission({ maxJoinsInFlight: 1, maxJoinsWaiting: 2, joinWaitMs: 200 });
    try {
      const first = await admission.enterJoin();
      const order: string[] = [];
      const second = admission.enterJoin().then((release) => {
        order.push('second');
        return release;
      });
      const third = admission.enterJoin().then((release) => {
        order.push('third');
        return release;
      });
      await expect(admission.enterJoin()).rejects.toMatchObject({ code: 'busy' });
      expect(admission.stats()).toMatchObject({ joinsInFlight: 1, joinsWaiting: 2 });
      first();
      first();
      (await second)();
      (await third)();
      expect(order).toEqual(['second', 'third']);
      expect(admission.stats()).toMatchObject({ joinsInFlight: 0, joinsWaiting: 0 });
      // A slot held past the wait: the one in line is told busy, and leaves the line.
      const held = await admission.enterJoin();
      const started = Date.now();
      await expect(admission.enterJoin()).rejects.toMatchObject({ code: 'busy' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(admission.stats()).toMatchObject({
        joinsInFlight: 1,
        joinsWaiting: 0,
        refusedJoins: 2,
      });
      held();
      (await admission.enterJoin())();
      expect(admission.stats().joinsInFlight).toBe(0);
    } finally {
      admission.close();
    }
  });

  it('refuses newcomers while its event loop is late, and admits them again once it caught up', async () => {
    const admission = new Admission({ maxLoopDelayMs: 100 });
    try {
      admission.admitConnection()();
      // The histogram's first tick only starts its clock.
      await new Promise((r) => setTimeout(r, 50));
      // A loop held up again and again, for two seconds: what a node drowning in work looks like.
      for (let i = 0; i < 13; i++) {
        const end = Date.now() + 150;
        while (Date.now() < end) {
          // busy
        }
        await new Promise((r) => setTimeout(r, 0));
      }
      await new Promise((r) => setTimeout(r, 400));
      expect(admission.stats().loopDelayMs).toBeGreaterThan(100);
      expect(() => admission.admitConnection()).toThrow(expect.objectContaining({ code: 'busy' }));
      await new Promise((r) => setTimeout(r, 2100));
      expect(admission.stats().loopDelayMs).toBeLessThan(100);
      admission.admitConnection()();
    } finally {
      admission.close();
    }
  });

  it('reads its limits from the environment', () => {
    expect(readAdmissionLimits({ LIVE_MAX_CONNECTIONS: '10' }).maxConnections).toBe(10);
    expect(() => readAdmissionLimits({ LIVE_MAX_JOINS_IN_FLIGHT: '0' })).toThrow();
  });
});
