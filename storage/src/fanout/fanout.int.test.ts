import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../tests/support/redis';
import { type Fanout, MemoryFanout, RedisFanout } from './Fanout';

function nextMessage(fanout: Fanout, channel: string) {
  return new Promise<{ message: string; stop: () => Promise<void> }>((resolve) => {
    const stop = fanout.subscribe(channel, (message) =>
      resolve({ message, stop: () => stop.then((s) => s()) }),
    );
  });
}

/** One contract for every fan-out implementation: two handles stand for two nodes. */
function fanoutContract(name: string, open: () => Promise<[Fanout, Fanout, () => Promise<void>]>) {
  describe(`fan-out on ${name}`, () => {
    let a: Fanout;
    let b: Fanout;
    let close: () => Promise<void>;
    beforeAll(async () => {
      [a, b, close] = await open();
    });
    afterAll(() => close());

    it('delivers a message published on one node to a subscriber on the other', async () => {
      const received: string[] = [];
      const unsubscribe = await b.subscribe('revocations', (m) => received.push(m));
      await a.publish('revocations', 'person:p1');
      await expect.poll(() => received).toEqual(['person:p1']);
      await unsubscribe();
      await a.publish('revocations', 'person:p2');
      await new Promise((r) => setTimeout(r, 100));
      expect(received).toEqual(['person:p1']);
    });

    it('does not deliver across channels', async () => {
      const other: string[] = [];
      await b.subscribe('other', (m) => other.push(m));
      const next = nextMessage(b, 'mine');
      await new Promise((r) => setTimeout(r, 50));
      await a.publish('mine', 'hello');
      expect((await next).message).toBe('hello');
      expect(other).toEqual([]);
    });
  });
}

fanoutContract('memory', async () => {
  const shared = new MemoryFanout();
  return [shared, shared, () => shared.close()];
});

let redis: TestRedis;
fanoutContract('Redis', async () => {
  redis = await startRedis();
  const a = new RedisFanout(redis.url);
  const b = new RedisFanout(redis.url);
  return [
    a,
    b,
    async () => {
      await a.close();
      await b.close();
      await redis.stop();
    },
  ];
});
