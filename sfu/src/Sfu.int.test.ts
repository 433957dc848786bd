import { PreauError, type SfuEvent } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfu, type Sfu } from './index';
import { plainConsumer, plainProducer } from './testing/plain';
import type { RtpReceiver, RtpSender } from './testing/rtp';

// A real SFU with two real mediasoup workers, driven with real RTP on loopback.
let sfu: Sfu;
const events: SfuEvent[] = [];
const sockets: Array<RtpSender | RtpReceiver> = [];

beforeAll(async () => {
  sfu = await createSfu({ workers: 2, log: silentLogger() });
  sfu.subscribe((e) => events.push(e));
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await sfu?.close();
});

function track<T extends { sender?: RtpSender; receiver?: RtpReceiver }>(peer: T): T {
  if (peer.sender) sockets.push(peer.sender);
  if (peer.receiver) sockets.push(peer.receiver);
  return peer;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return err instanceof PreauError ? err.code : `untyped: ${String(err)}`;
  }
  return 'resolved';
}

describe('rooms and workers', () => {
  it('shares one room between concurrent creations and spreads rooms over workers', async () => {
    await Promise.all([
      sfu.createRoom({ roomId: 'spread-a' }),
      sfu.createRoom({ roomId: 'spread-a' }),
    ]);
    await sfu.createRoom({ roomId: 'spread-b' });
    const { workers } = await sfu.load();
    expect(workers).toHaveLength(2);
    expect(workers.map((w) => w.rooms).sort()).toEqual([1, 1]);
    await sfu.closeRoom({ roomId: 'spread-a' });
    await sfu.closeRoom({ roomId: 'spread-b' });
  });

  it('leaves nothing behind when a room is closed while it opens', async () => {
    const rooms = async () => (await sfu.load()).workers.reduce((n, w) => n + w.rooms, 0);
    const before = await rooms();
    const opening = codeOf(sfu.createRoom({ roomId: 'flicker' }));
    await sfu.closeRoom({ roomId: 'flicker' });
    expect(await opening).toBe('unavailable');
    const reopening = codeOf(sfu.createRoom({ roomId: 'flicker' }));
    await sfu.closeRoom({ roomId: 'flicker' });
    await sfu.createRoom({ roomId: 'flicker' });
    expect(await reopening).toBe('unavailable');
    expect(await rooms()).toBe(before + 1);
    await sfu.closeRoom({ roomId: 'flicker' });
    expect(await rooms()).toBe(before);
  });

  it('puts WebRTC transports on the WebRtcServer of the room worker (one UDP, one TCP port)', async () => {
    await sfu.createRoom({ roomId: 'webrtc' });
    const a = await sfu.createWebRtcTransport({
      roomId: 'webrtc',
      peerId: 'p1',
      direction: 'send',
    });
    const b = await sfu.createWebRtcTransport({
      roomId: 'webrtc',
      peerId: 'p2',
      direction: 'recv',
    });
    const { workers } = await sfu.load();
    const worker = workers.find((w) => w.rooms === 1)!;
    for (const t of [a, b]) {
      expect(t.iceCandidates.map((c) => `${c.protocol}:${c.port}`).sort()).toEqual([
        `tcp:${worker.tcpPort}`,
        `udp:${worker.udpPort}`,
      ]);
      expect(t.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    }
    expect(a.id).not.toEqual(b.id);
    const caps = await sfu.routerRtpCapabilities({ roomId: 'webrtc' });
    expect(caps.codecs?.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8']),
    );
    await sfu.closeRoom({ roomId: 'webrtc' });
  });
});

describe('forwarding', () => {
  const at = { roomId: 'fwd', peerId: 'teacher' };
  const viewer = { roomId: 'fwd', peerId: 'student' };

  it('forwards a microphone to a consumer, and a pause at the SFU stops it', async () => {
    await sfu.createRoom({ roomId: 'fwd' });
    const mic = track(await plainProducer(sfu, at, { source: 'mic', audioLevel: 127 }));
    const { consumer, receiver } = track(await plainConsumer(sfu, viewer, mic.producerId));
    expect(consumer).toMatchObject({ kind: 'audio', source: 'mic', producerPeerId: 'teacher' });
    await expect.poll(() => receiver.counts.packets).toBeGreaterThan(20);
    await expect
      .poll(async () => (await sfu.consumerStats({ ...viewer, consumerId: consumer.id })).packets)
      .toBeGreaterThan(20);
    await expect
      .poll(async () => (await sfu.producerStats({ ...at, producerId: mic.producerId })).packets)
      .toBeGreaterThan(20);

    await sfu.pauseProducer({ roomId: 'fwd', producerId: mic.producerId });
    expect(events).toContainEqual({
      type: 'producerPaused',
      ...at,
      producerId: mic.producerId,
      paused: true,
    });
    expect(await sfu.listProducers({ roomId: 'fwd' })).toEqual([
      { id: mic.producerId, peerId: 'teacher', kind: 'audio', source: 'mic', paused: true },
    ]);
    // Packets already in flight may land; after that, nothing more while the sender goes on.
    const sentAtPause = mic.sender.sent;
    await expect.poll(() => mic.sender.sent).toBeGreaterThan(sentAtPause + 10);
    const afterPause = receiver.counts.packets;
    await expect.poll(() => mic.sender.sent).toBeGreaterThan(sentAtPause + 60);
    expect(receiver.counts.packets).toBe(afterPause);
    const stalled = await sfu.consumerStats({ ...viewer, consumerId: consumer.id });

    await sfu.resumeProducer({ roomId: 'fwd', producerId: mic.producerId });
    await expect.poll(() => receiver.counts.packets).toBeGreaterThan(afterPause + 20);
    const resumed = await sfu.consumerStats({ ...viewer, consumerId: consumer.id });
    expect(resumed.packets).toBeGreaterThan(stalled.packets);
  });

  it('forwards a three-layer simulcast camera and honours the preferred layer', async () => {
    const cam = track(await plainProducer(sfu, at, { source: 'camera', layers: 3 }));
    const { consumer, receiver } = track(await plainConsumer(sfu, viewer, cam.producerId));
    expect(consumer.type).toBe('simulcast');
    expect(consumer.rtpParameters.encodings).toHaveLength(1);
    await expect.poll(() => receiver.counts.packets).toBeGreaterThan(30);
    const layersOf = () =>
      events.flatMap((e) =>
        e.type === 'consumerLayersChanged' && e.consumerId === consumer.id ? [e.layers] : [],
      );
    await sfu.setPreferredLayers({ ...viewer, consumerId: consumer.id, spatialLayer: 0 });
    await expect.poll(() => layersOf().at(-1)?.spatialLayer).toBe(0);
    await sfu.setPreferredLayers({ ...viewer, consumerId: consumer.id, spatialLayer: 2 });
    await expect.poll(() => layersOf().at(-1)?.spatialLayer).toBe(2);
    await sfu.setConsumerPriority({ ...viewer, consumerId: consumer.id, priority: 200 });
    const before = receiver.counts.packets;
    await expect.poll(() => receiver.counts.packets).toBeGreaterThan(before + 30);
  });

  it('names the loudest microphone as active speaker', async () => {
    const loud = track(
      await plainProducer(
        sfu,
        { roomId: 'fwd', peerId: 'speaker' },
        { source: 'mic', audioLevel: 10 },
      ),
    );
    track(
      await plainProducer(
        sfu,
        { roomId: 'fwd', peerId: 'quiet' },
        { source: 'mic', audioLevel: 127 },
      ),
    );
    await expect
      .poll(() => events.filter((e) => e.type === 'activeSpeaker').at(-1))
      .toEqual({
        type: 'activeSpeaker',
        roomId: 'fwd',
        peerId: 'speaker',
        producerId: loud.producerId,
      });
  });

  it('closing a peer closes its producers and the others consumers of them', async () => {
    const mine = (await sfu.listProducers({ roomId: 'fwd' })).filter((p) => p.peerId === 'teacher');
    expect(mine).toHaveLength(2);
    await sfu.closePeer(at);
    const ids = mine.map((p) => p.id);
    for (const producerId of ids) {
      expect(events).toContainEqual({
        type: 'producerClosed',
        ...at,
        producerId,
        reason: 'peerClosed',
      });
      // The viewer's consumers learn it from the worker, a moment later.
      await expect
        .poll(() => events)
        .toContainEqual(
          expect.objectContaining({
            type: 'consumerClosed',
            ...viewer,
            producerId,
            reason: 'producerClosed',
          }),
        );
    }
    const left = await sfu.listProducers({ roomId: 'fwd' });
    expect(left.map((p) => p.peerId).sort()).toEqual(['quiet', 'speaker']);
    expect(await codeOf(sfu.producerStats({ roomId: 'fwd', producerId: ids[0]! }))).toBe(
      'not_found',
    );
  });

  it('closing a room closes everything in it, once, and later calls get typed errors', async () => {
    const before = (await sfu.load()).workers.reduce((n, w) => n + w.rooms, 0);
    const count = events.length;
    await sfu.closeRoom({ roomId: 'fwd' });
    await sfu.closeRoom({ roomId: 'fwd' });
    expect(events.slice(count)).toEqual([{ type: 'roomClosed', roomId: 'fwd', reason: 'closed' }]);
    expect((await sfu.load()).workers.reduce((n, w) => n + w.rooms, 0)).toBe(before - 1);
    expect(await codeOf(sfu.listProducers({ roomId: 'fwd' }))).toBe('not_found');
    expect(await codeOf(sfu.createPlainTransport({ ...viewer, direction: 'recv' }))).toBe(
      'not_found',
    );
  });
});

describe('refusals change nothing', () => {
  it('refuses bad producers and consumers with typed errors', async () => {
    const roomId = 'refuse';
    await sfu.createRoom({ roomId });
    const send = await sfu.createPlainTransport({ roomId, peerId: 'a', direction: 'send' });
    const recv = await sfu.createPlainTransport({ roomId, peerId: 'b', direction: 'recv' });
    const rtpParameters = {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 42 }],
    };
    // A microphone that claims to be video; a producer on a receive transport;
    // a consumer on someone else's transport; a producer that does not exist.
    expect(
      await codeOf(
        sfu.produce({
          roomId,
          peerId: 'a',
          transportId: send.id,
          kind: 'video',
          source: 'mic',
          rtpParameters,
        }),
      ),
    ).toBe('bad_request');
    expect(
      await codeOf(
        sfu.produce({
          roomId,
          peerId: 'b',
          transportId: recv.id,
          kind: 'audio',
          source: 'mic',
          rtpParameters,
        }),
      ),
    ).toBe('not_found');
    const { producerId } = await sfu.produce({
      roomId,
      peerId: 'a',
      transportId: send.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters,
    });
    const rtpCapabilities = await sfu.routerRtpCapabilities({ roomId });
    expect(
      await codeOf(
        sfu.consume({ roomId, peerId: 'a', transportId: recv.id, producerId, rtpCapabilities }),
      ),
    ).toBe('not_found');
    expect(
      await codeOf(
        sfu.consume({
          roomId,
          peerId: 'b',
          transportId: recv.id,
          producerId: 'nope',
          rtpCapabilities,
        }),
      ),
    ).toBe('not_found');
    expect(
      await codeOf(
        sfu.consume({
          roomId,
          peerId: 'b',
          transportId: recv.id,
          producerId,
          rtpCapabilities: { codecs: [] },
        }),
      ),
    ).toBe('conflict');
    expect(await sfu.listProducers({ roomId })).toHaveLength(1);
    await sfu.closeRoom({ roomId });
  });
});

describe('worker death', () => {
  it('closes the rooms of a dead worker and replaces the worker', async () => {
    await sfu.createRoom({ roomId: 'doomed' });
    const { workers } = await sfu.load();
    const victim = workers.find((w) => w.rooms > 0)!;
    process.kill(victim.pid, 'SIGKILL');
    await expect
      .poll(() => events.filter((e) => e.type === 'roomClosed' && e.roomId === 'doomed'))
      .toEqual([{ type: 'roomClosed', roomId: 'doomed', reason: 'workerDied' }]);
    expect(await codeOf(sfu.listProducers({ roomId: 'doomed' }))).toBe('not_found');
    await expect
      .poll(async () =>
        (await sfu.load()).workers.map((w) => w.pid).filter((p) => p !== victim.pid),
      )
      .toHaveLength(2);
    await sfu.createRoom({ roomId: 'doomed' });
    expect((await sfu.routerRtpCapabilities({ roomId: 'doomed' })).codecs?.length).toBeGreaterThan(
      0,
    );
    await sfu.closeRoom({ roomId: 'doomed' });
  });
});

describe('after close', () => {
  it('refuses every call with unavailable and closes idempotently', async () => {
    const other = await createSfu({ workers: 1, log: silentLogger() });
    await other.createRoom({ roomId: 'x' });
    await other.close();
    await other.close();
    expect(await codeOf(other.createRoom({ roomId: 'y' }))).toBe('unavailable');
    expect(await codeOf(other.routerRtpCapabilities({ roomId: 'x' }))).toBe('unavailable');
    expect(await codeOf(other.load())).toBe('unavailable');
  });
});
