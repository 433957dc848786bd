import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../tests/support/redis';
import { SessionLeases } from './ownership';

describe('session leases on a real Redis', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  const leases: SessionLeases[] = [];
  const lost: string[] = [];
  const node = (name: string, leaseMs = 600) => {
    const client = new Redis(redis.url);
    clients.push(client);
    const l = new SessionLeases({
      redis: client,
      node: name,
      leaseMs,
      onLost: (id) => lost.push(`${name}:${id}`),
    });
    leases.push(l);
    return { client, leases: l };
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const l of leases) await l.close().catch(() => undefined);
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  it('names one holder at a time, renews it, lets it lapse when its node is gone, and tells a node that lost it', async () => {
    const a = node('a');
    const b = node('b');
    const [first, second] = await Promise.all([a.leases.claim('s1'), b.leases.claim('s1')]);
    // Exactly one wins.
    expect([first, second].filter(Boolean)).toHaveLength(1);
    const winner = first ? a : b;
    const loser = first ? b : a;
    const lease = (first ?? second)!;
    expect(await loser.leases.owner('s1')).toEqual(lease);

    // Renewed past its lifetime while its node lives.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await loser.leases.owner('s1')).toEqual(lease);
    expect(await loser.leases.claim('s1')).toBeNull();

    // Its node loses Redis (as if killed): the lease lapses, the other node claims with a new epoch.
    winner.client.disconnect();
    await expect.poll(() => loser.leases.owner('s1'), { timeout: 5000 }).toBeNull();
    const next = await loser.leases.claim('s1');
    expect(next?.epoch).not.toBe(lease.epoch);

    // A lease taken from under a node (here: overwritten) is reported lost, not renewed over.
    const c = node('c');
    expect(await c.leases.claim('s2')).not.toBeNull();
    await c.client.set('preau:live:owner:s2', 'other x', 'PX', 10_000);
    await expect.poll(() => lost, { timeout: 5000 }).toContain('c:s2');
    expect(await c.leases.owner('s2')).toEqual({ node: 'other', epoch: 'x' });
    // Releasing what one no longer holds leaves the new holder alone.
    await c.leases.release('s2');
    expect(await c.leases.owner('s2')).toEqual({ node: 'other', epoch: 'x' });

    // Released, a lease is free at once.
    await loser.leases.release('s1');
    expect(await loser.leases.owner('s1')).toBeNull();
  });
  it('reads many owners in one call, and vouches for its own lease only while recently renewed', async () => {
    const a = node('d', 900);
    const b = node('e', 900);
    const s3 = (await a.leases.claim('s3'))!;
    const s4 = (await b.leases.claim('s4'))!;
    const owners = await a.leases.owners(['s3', 's4', 's5']);
    expect(owners).toEqual(
      new Map([
        ['s3', s3],
        ['s4', s4],
        ['s5', null],
      ]),
    );
    // Its own, just claimed: sure without asking Redis; another node's: never.
    expect(a.leases.heldSurely('s3')).toEqual(s3);
    expect(a.leases.heldSurely('s4')).toBeUndefined();
    // Renewed every third of its life, it stays sure.
    await new Promise((r) => setTimeout(r, 1500));
    expect(a.leases.heldSurely('s3')).toEqual(s3);
    // Cut from Redis, its renewals fail: within two thirds of a life it is no longer vouched for.
    a.client.disconnect();
    await expect.poll(() => a.leases.heldSurely('s3'), { timeout: 3000 }).toBeUndefined();
  });
});
