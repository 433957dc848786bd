import type { SfuEvent } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfu, type Sfu } from './index';
import { plainConsumer, plainProducer } from './testing/plain';
import type { RtpReceiver, RtpSender } from './testing/rtp';

// A room too big for one worker: two real workers, two peers per router.
let sfu: Sfu;
const events: SfuEvent[] = [];
const sockets: Array<RtpSender | RtpReceiver> = [];

beforeAll(async () => {
  sfu = await createSfu({ workers: 2, peersPerRouter: 2, log: silentLogger() });
  sfu.subscribe((e) => events.push(e));
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await sfu?.close();
});

describe('a room spread over the workers of one process', () => {
  it('puts peers beyond the threshold on another worker and pipes producers to them', async () => {
    const roomId = 'assembly';
    await sfu.createRoom({ roomId });
    const mic = await plainProducer(sfu, { roomId, peerId: 'teacher' }, { source: 'mic' });
    const cam = await plainProducer(
      sfu,
      { roomId, peerId: 'teacher' },
      { source: 'camera', layers: 1 },
    );
    sockets.push(mic.sender, cam.sender);
    // The teacher and one student fill the first router; the next two go to the other worker.
    const near = await plainConsumer(sfu, { roomId, peerId: 's1' }, mic.producerId);
    const far = await plainConsumer(sfu, { roomId, peerId: 's2' }, mic.producerId);
    const farCam = await plainConsumer(sfu, { roomId, peerId: 's3' }, cam.producerId);
    sockets.push(near.receiver, far.receiver, farCam.receiver);

    const { workers } = await sfu.load();
    expect(workers.map((w) => w.rooms)).toEqual([1, 1]);
    expect(workers.every((w) => w.load > 1)).toBe(true);
    const nodeLoad = await sfu.nodeLoad();
    expect(nodeLoad).toMatchObject({ rooms: 1, routers: 2, peers: 4, producers: 2, consumers: 3 });

    for (const { receiver } of [near, far, farCam]) {
      await expect.poll(() => receiver.counts.packets, { timeout: 10_000 }).toBeGreaterThan(20);
    }
    await expect
      .poll(
        async () =>
          (await sfu.consumerStats({ roomId, peerId: 's2', consumerId: far.consumer.id })).packets,
      )
      .toBeGreaterThan(20);

    // A pause at the SFU reaches the piped copy: the far viewer stops receiving too.
    await sfu.pauseProducer({ roomId, producerId: mic.producerId });
    const sentAtPause = mic.sender.sent;
    await expect.poll(() => mic.sender.sent).toBeGreaterThan(sentAtPause + 10);
    const farAtPause = far.receiver.counts.packets;
    await expect.poll(() => mic.sender.sent).toBeGreaterThan(sentAtPause + 60);
    expect(far.receiver.counts.packets).toBe(farAtPause);
    await sfu.resumeProducer({ roomId, producerId: mic.producerId });
    await expect.poll(() => far.receiver.counts.packets).toBeGreaterThan(farAtPause + 20);

    // Closing the producer closes the far consumers as well.
    await sfu.closeProducer({ roomId, producerId: cam.producerId });
    await expect
      .poll(() => events)
      .toContainEqual(
        expect.objectContaining({
          type: 'consumerClosed',
          peerId: 's3',
          consumerId: farCam.consumer.id,
          reason: 'producerClosed',
        }),
      );

    await sfu.closeRoom({ roomId });
    expect((await sfu.load()).workers.map((w) => w.rooms)).toEqual([0, 0]);
  });
});
