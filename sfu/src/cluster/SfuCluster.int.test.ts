import { randomBytes } from 'node:crypto';
import type { SfuEvent } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfuClient } from '../rpc/client';
import type { SfuApi } from '../SfuApi';
import { plainConsumer, plainProducer } from '../testing/plain';
import { type SfuProcess, startSfuProcess } from '../testing/process';
import type { RtpReceiver, RtpSender } from '../testing/rtp';
import { SfuCluster } from './SfuCluster';

// Three SFU processes (one real mediasoup worker each) driven as one cluster.
const secret = randomBytes(24).toString('hex');
let nodes: SfuProcess[] = [];
let cluster: SfuCluster;
const direct: SfuApi[] = [];
const events: SfuEvent[] = [];
const sockets: Array<RtpSender | RtpReceiver> = [];

const processOf = (url: string) => nodes.find((n) => n.url === url && n.child.exitCode === null)!;

beforeAll(async () => {
  nodes = await Promise.all(
    [0, 1, 2].map(() =>
      startSfuProcess({ SFU_RPC_SECRET: secret, SFU_LOAD_INTERVAL_MS: '200', SFU_WORKERS: '1' }),
    ),
  );
  cluster = await SfuCluster.start({
    urls: nodes.map((n) => n.url),
    secret,
    roomPeersPerNode: 2,
    staleMs: 1500,
    log: silentLogger(),
  });
  cluster.subscribe((e) => events.push(e));
  // Three SFU processes on a busy machine: starting them may take minutes.
}, 300_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await cluster?.close();
  for (const api of direct) await api.close();
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('media across SFU processes', () => {
  it('places a new room on the least loaded node, by the nodes’ own load reports', async () => {
    const [a, b] = nodes as [SfuProcess, SfuProcess, SfuProcess];
    // Load node a with a room and three transports, node b with a room and one.
    for (const [node, transports] of [
      [a, 3],
      [b, 1],
    ] as const) {
      const api = await createSfuClient(node.url, secret, silentLogger());
      direct.push(api);
      await api.createRoom({ roomId: 'ballast' });
      for (let i = 0; i < transports; i++) {
        await api.createPlainTransport({ roomId: 'ballast', peerId: `p${i}`, direction: 'send' });
      }
    }
    await expect
      .poll(() => cluster.nodes.map((n) => n.score), { timeout: 5000 })
      .toEqual([4, 2, 0]);
    await cluster.createRoom({ roomId: 'placed' });
    expect(await cluster.nodesOf('placed')).toEqual([nodes[2]!.url]);
    // The node reports the room within a second; the next room goes to the next least loaded.
    await expect
      .poll(() => cluster.nodes.map((n) => n.score), { timeout: 5000 })
      .toEqual([4, 2, 1]);
    await cluster.createRoom({ roomId: 'placed-too' });
    expect(await cluster.nodesOf('placed-too')).toEqual([nodes[2]!.url]);
    await expect
      .poll(() => cluster.nodes.map((n) => n.score), { timeout: 5000 })
      .toEqual([4, 2, 2]);
    // Another classroom node (another cluster client) finds the room where it is.
    const other = await SfuCluster.start({
      urls: nodes.map((n) => n.url),
      secret,
      roomPeersPerNode: 2,
      staleMs: 1500,
      log: silentLogger(),
    });
    try {
      await other.createRoom({ roomId: 'placed' });
      expect(await other.nodesOf('placed')).toEqual([nodes[2]!.url]);
    } finally {
      await other.close();
    }
    await cluster.closeRoom({ roomId: 'placed' });
    await cluster.closeRoom({ roomId: 'placed-too' });
    for (const api of direct) await api.closeRoom({ roomId: 'ballast' });
  });

  it('a viewer on another node receives a producer through a pipe transport', async () => {
    const roomId = 'wide';
    await cluster.createRoom({ roomId });
    const [home] = await cluster.nodesOf(roomId);
    const mic = await plainProducer(cluster, { roomId, peerId: 'teacher' }, { source: 'mic' });
    sockets.push(mic.sender);
    const near = await plainConsumer(cluster, { roomId, peerId: 'near' }, mic.producerId);
    // Two peers on the home node: the third goes to another node, the room with it.
    const far = await plainConsumer(cluster, { roomId, peerId: 'far' }, mic.producerId);
    sockets.push(near.receiver, far.receiver);
    const spread = await cluster.nodesOf(roomId);
    expect(spread).toHaveLength(2);
    expect(spread[0]).toBe(home);

    await expect.poll(() => far.receiver.counts.packets, { timeout: 10_000 }).toBeGreaterThan(20);
    const farStats = () =>
      cluster.consumerStats({ roomId, peerId: 'far', consumerId: far.consumer.id });
    await expect.poll(async () => (await farStats()).packets).toBeGreaterThan(20);
    // The far node's own counters say the same (the consumer lives there).
    const farNode = await createSfuClient(spread[1]!, secret, silentLogger());
    direct.push(farNode);
    expect(
      (await farNode.consumerStats({ roomId, peerId: 'far', consumerId: far.consumer.id })).packets,
    ).toBeGreaterThan(20);
    // The producer is listed once, on its own node.
    expect((await cluster.listProducers({ roomId })).map((p) => p.id)).toEqual([mic.producerId]);

    // A pause reaches the piped copy; closing the producer closes the far consumer.
    await cluster.pauseProducer({ roomId, producerId: mic.producerId });
    const sentAtPause = mic.sender.sent;
    await expect.poll(() => mic.sender.sent).toBeGreaterThan(sentAtPause + 10);
    const farAtPause = far.receiver.counts.packets;
    await expect.poll(() => mic.sender.sent).toBeGreaterThan(sentAtPause + 60);
    expect(far.receiver.counts.packets).toBe(farAtPause);
    await cluster.resumeProducer({ roomId, producerId: mic.producerId });
    await expect.poll(() => far.receiver.counts.packets).toBeGreaterThan(farAtPause + 20);

    await cluster.closeProducer({ roomId, producerId: mic.producerId });
    await expect
      .poll(() => events)
      .toContainEqual(
        expect.objectContaining({
          type: 'consumerClosed',
          peerId: 'far',
          consumerId: far.consumer.id,
        }),
      );
    await cluster.closeRoom({ roomId });
    expect(await cluster.nodesOf(roomId)).toEqual([]);
  });

  it('after a SIGKILL of its node, the room comes back on another one within 5 s', async () => {
    const roomId = 'survivor';
    await cluster.createRoom({ roomId });
    const [home] = await cluster.nodesOf(roomId);
    const mic = await plainProducer(cluster, { roomId, peerId: 'teacher' }, { source: 'mic' });
    const viewer = await plainConsumer(cluster, { roomId, peerId: 'student' }, mic.producerId);
    sockets.push(mic.sender, viewer.receiver);
    await expect.poll(() => viewer.receiver.counts.packets).toBeGreaterThan(10);

    const killedAt = Date.now();
    processOf(home!).child.kill('SIGKILL');
    await expect
      .poll(() => events, { timeout: 5000, interval: 20 })
      .toContainEqual({ type: 'roomClosed', roomId, reason: 'workerDied' });
    const toldAfter = Date.now() - killedAt;

    // What a session does on media.reset: open the room again, send and receive again.
    await cluster.createRoom({ roomId });
    const [newHome] = await cluster.nodesOf(roomId);
    expect(newHome).not.toBe(home);
    const mic2 = await plainProducer(cluster, { roomId, peerId: 'teacher' }, { source: 'mic' });
    const viewer2 = await plainConsumer(cluster, { roomId, peerId: 'student' }, mic2.producerId);
    sockets.push(mic2.sender, viewer2.receiver);
    await expect
      .poll(() => viewer2.receiver.counts.packets, { timeout: 5000, interval: 20 })
      .toBeGreaterThan(0);
    const backAfter = Date.now() - killedAt;
    console.info(`sfu failover: told after ${toldAfter} ms, media back after ${backAfter} ms`);
    expect(backAfter).toBeLessThan(5000);
    expect(cluster.nodes.find((n) => n.url === home)?.up).toBe(false);

    // A supervisor starts the process again on its address: it takes rooms
    // again, and its report of the rooms of its previous life changes nothing.
    const restarted = await startSfuProcess({
      SFU_RPC_PORT: new URL(home!).port,
      SFU_RPC_SECRET: secret,
      SFU_LOAD_INTERVAL_MS: '200',
    });
    nodes.push(restarted);
    await expect
      .poll(() => cluster.nodes.find((n) => n.url === home)?.up, { timeout: 5000 })
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.filter((e) => e.type === 'roomClosed' && e.roomId === roomId)).toHaveLength(1);
    expect(await cluster.nodesOf(roomId)).toEqual([newHome]);
    await expect.poll(() => viewer2.receiver.counts.packets).toBeGreaterThan(20);
    await cluster.closeRoom({ roomId });
  });
});
