import { randomBytes } from 'node:crypto';
import type { RtpCapabilities } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { SfuCluster } from '@preau/sfu';
import { opusParameters, type SfuProcess, startSfuProcess } from '@preau/sfu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClassroomSocket,
  call,
  type Harness,
  person,
  recorder,
  startHarness,
} from './test/harness';

// A live session whose media live on two SFU processes driven as one cluster.
describe('a live session over two SFU processes', () => {
  const secret = randomBytes(24).toString('hex');
  let nodes: SfuProcess[] = [];
  let cluster: SfuCluster;
  let h: Harness;
  let sessionId: string;
  let caps: RtpCapabilities;
  const people: Record<'prof' | 'lina' | 'noah', ClassroomSocket> = {} as never;

  beforeAll(async () => {
    nodes = await Promise.all(
      [0, 1].map(() => startSfuProcess({ SFU_RPC_SECRET: secret, SFU_LOAD_INTERVAL_MS: '200' })),
    );
    cluster = await SfuCluster.start({
      urls: nodes.map((n) => n.url),
      secret,
      // Two peers per node, so that a class of three spreads over both.
      roomPeersPerNode: 2,
      staleMs: 1500,
      log: silentLogger(),
    });
    h = await startHarness({ sfu: cluster });
    sessionId = await h.startSession('4eA', 'prof');
    for (const [sub, kind] of [
      ['prof', 'teacher'],
      ['lina', 'student'],
      ['noah', 'student'],
    ] as const) {
      const socket = await h.connect({
        token: await h.mint(person(sub, '4eA', kind)),
        session: sessionId,
      });
      const snap = await call(socket, 'session.join', {});
      caps = snap.routerRtpCapabilities!;
      await call(socket, 'media.setCapabilities', { rtpCapabilities: caps });
      people[sub] = socket;
    }
    // Two SFU processes and a database on a busy machine: setting up may take minutes.
  }, 300_000);

  afterAll(async () => {
    await h?.close();
    await cluster?.close();
    await Promise.all(nodes.map((n) => n.stop()));
  });

  /** What a page does to send its microphone and receive the others'. */
  async function publishMic(socket: ClassroomSocket, ssrc: number) {
    const send = await call(socket, 'media.createTransport', { direction: 'send' });
    return (
      await call(socket, 'media.produce', {
        transportId: send.id,
        kind: 'audio',
        source: 'mic',
        rtpParameters: opusParameters(ssrc),
      })
    ).producerId;
  }
  async function receive(socket: ClassroomSocket, producerId: string) {
    const recv = await call(socket, 'media.createTransport', { direction: 'recv' });
    return call(socket, 'media.consume', { transportId: recv.id, producerId });
  }

  it('spreads the class over both nodes; a student on the second consumes through a pipe', async () => {
    const mic = await publishMic(people.prof, 5001);
    expect(await receive(people.lina, mic)).toMatchObject({ producerId: mic, kind: 'audio' });
    expect(await cluster.nodesOf(sessionId)).toHaveLength(1);
    // The teacher and Lina fill the first node: Noah's transports open on the second.
    expect(await receive(people.noah, mic)).toMatchObject({ producerId: mic, kind: 'audio' });
    expect(await cluster.nodesOf(sessionId)).toEqual(
      expect.arrayContaining(nodes.map((n) => n.url)),
    );
  });

  it('when the home SFU process is killed, everyone is told and rebuilds on the other within 5 s', async () => {
    const [home] = await cluster.nodesOf(sessionId);
    const seen = Object.fromEntries(
      Object.entries(people).map(([sub, socket]) => [sub, recorder(socket)]),
    );
    const killedAt = Date.now();
    nodes.find((n) => n.url === home)!.child.kill('SIGKILL');
    for (const rec of Object.values(seen)) {
      await expect
        .poll(() => rec.of('media.reset').length, { timeout: 5000, interval: 20 })
        .toBe(1);
    }
    const toldAfter = Date.now() - killedAt;
    // What each page does on media.reset (web/src/lib/classroom/media.ts, rebuild()).
    for (const socket of Object.values(people)) {
      await call(socket, 'media.reset', {});
      await call(socket, 'media.setCapabilities', { rtpCapabilities: caps });
    }
    const mic = await publishMic(people.prof, 5002);
    await receive(people.lina, mic);
    await receive(people.noah, mic);
    const backAfter = Date.now() - killedAt;
    console.info(
      `classroom over an SFU cluster: told after ${toldAfter} ms, rebuilt after ${backAfter} ms`,
    );
    expect(backAfter).toBeLessThan(5000);
    const survivor = nodes.find((n) => n.url !== home)!.url;
    expect(await cluster.nodesOf(sessionId)).toEqual([survivor]);
    expect((await cluster.listProducers({ roomId: sessionId })).map((p) => p.id)).toEqual([mic]);
  });
});
