import { PreauError, SFU_AUTH_HEADER, SFU_RPC_VERSION, type SfuEvent } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SfuApi } from '../SfuApi';
import { plainConsumer, plainProducer } from '../testing/plain';
import { type SfuProcess, startSfuProcess } from '../testing/process';
import type { RtpReceiver, RtpSender } from '../testing/rtp';
import { signAuth } from './auth';
import { createSfuClient } from './client';

// The SFU as its own process (a real mediasoup worker), driven over its RPC.
let sfu: SfuProcess;
let client: SfuApi;
const events: SfuEvent[] = [];
const sockets: Array<RtpSender | RtpReceiver> = [];

beforeAll(async () => {
  sfu = await startSfuProcess();
  client = await createSfuClient(sfu.url, sfu.secret, silentLogger());
  client.subscribe((e) => events.push(e));
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await client?.close();
  await sfu?.stop();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return err instanceof PreauError ? err.code : `untyped: ${String(err)}`;
  }
  return 'resolved';
}

/** A raw authenticated connection, to send what the typed client never would. */
async function rawConnection(): Promise<{ ws: WebSocket; next(): Promise<unknown> }> {
  const ws = new WebSocket(sfu.url, { headers: { [SFU_AUTH_HEADER]: signAuth(sfu.secret) } });
  const queue: unknown[] = [];
  const waiters: Array<(m: unknown) => void> = [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string };
    // Events and load reports arrive on their own; the test reads answers.
    if (message.type === 'event' || message.type === 'load') return;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = () =>
    queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r));
  return { ws, next };
}

describe('the SFU process over its RPC', () => {
  it('forwards real RTP and enforces a pause, driven only through the client', async () => {
    const roomId = 'remote';
    await client.createRoom({ roomId });
    const mic = await plainProducer(client, { roomId, peerId: 'teacher' }, { source: 'mic' });
    sockets.push(mic.sender);
    const viewer = { roomId, peerId: 'student' };
    const { consumer, receiver } = await plainConsumer(client, viewer, mic.producerId);
    sockets.push(receiver);
    await expect.poll(() => receiver.counts.packets).toBeGreaterThan(20);
    await expect
      .poll(
        async () => (await client.consumerStats({ ...viewer, consumerId: consumer.id })).packets,
      )
      .toBeGreaterThan(20);

    await client.pauseProducer({ roomId, producerId: mic.producerId });
    await expect
      .poll(() => events)
      .toContainEqual({
        type: 'producerPaused',
        roomId,
        peerId: 'teacher',
        producerId: mic.producerId,
        paused: true,
      });
    const sentAtPause = mic.sender.sent;
    await expect.poll(() => mic.sender.sent).toBeGreaterThan(sentAtPause + 10);
    const afterPause = receiver.counts.packets;
    await expect.poll(() => mic.sender.sent).toBeGreaterThan(sentAtPause + 60);
    expect(receiver.counts.packets).toBe(afterPause);

    await client.closeRoom({ roomId });
    await expect
      .poll(() => events)
      .toContainEqual({ type: 'roomClosed', roomId, reason: 'closed' });
    expect(await codeOf(client.listProducers({ roomId }))).toBe('not_found');
  });

  it('answers a bad message with a typed error and changes nothing', async () => {
    await client.createRoom({ roomId: 'guarded' });
    const before = await client.load();
    const { ws, next } = await rawConnection();
    expect(await next()).toEqual({ type: 'hello', version: SFU_RPC_VERSION });

    ws.send('{not json');
    expect(await next()).toMatchObject({
      type: 'response',
      id: null,
      result: { ok: false, error: { code: 'bad_request' } },
    });
    ws.send(JSON.stringify({ id: 7, call: { type: 'closeRoom' } }));
    expect(await next()).toMatchObject({
      type: 'response',
      id: 7,
      result: { ok: false, error: { code: 'bad_request', issues: [{ path: 'call.roomId' }] } },
    });
    ws.send(JSON.stringify({ id: 8, call: { type: 'dropEverything', roomId: 'guarded' } }));
    expect(await next()).toMatchObject({
      id: 8,
      result: { ok: false, error: { code: 'bad_request' } },
    });
    ws.send(
      JSON.stringify({
        id: 9,
        call: {
          type: 'createPlainTransport',
          roomId: 'guarded',
          peerId: '../x',
          direction: 'send',
        },
      }),
    );
    expect(await next()).toMatchObject({
      id: 9,
      result: { ok: false, error: { code: 'bad_request' } },
    });
    // A well-formed call still works on the same connection.
    ws.send(JSON.stringify({ id: 10, call: { type: 'listProducers', roomId: 'guarded' } }));
    expect(await next()).toEqual({ type: 'response', id: 10, result: { ok: true, data: [] } });
    ws.close();

    expect(await client.load()).toEqual(before);
    expect(await client.listProducers({ roomId: 'guarded' })).toEqual([]);
  });

  it('refuses a connection without the right secret, before any state', async () => {
    const refusal = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(sfu.url, { headers });
        // ws reports the refused handshake as an error too; the status code is what we assert.
        ws.on('error', () => undefined);
        ws.once('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.once('open', () => reject(new Error('connection accepted')));
      });
    expect(await refusal({})).toBe(401);
    expect(await refusal({ [SFU_AUTH_HEADER]: signAuth('not-the-secret-at-all') })).toBe(401);
    expect(await refusal({ [SFU_AUTH_HEADER]: signAuth(sfu.secret, Date.now() - 120_000) })).toBe(
      401,
    );
    expect(await refusal({ [SFU_AUTH_HEADER]: sfu.secret })).toBe(401);
    expect(await codeOf(createSfuClient(sfu.url, 'wrong-secret-wrong', silentLogger()))).toBe(
      'unauthenticated',
    );
  });

  it('stops cleanly on SIGTERM', async () => {
    const other = await startSfuProcess();
    const remote = await createSfuClient(other.url, other.secret, silentLogger());
    await remote.createRoom({ roomId: 'short' });
    expect(await other.stop()).toBe(0);
    expect(await codeOf(remote.load())).toBe('unavailable');
    await remote.close();
  });

  it('after a SIGKILL, reports its rooms lost once the restarted SFU answers, within 5 s', async () => {
    const first = await startSfuProcess();
    const port = new URL(first.url).port;
    const remote = await createSfuClient(first.url, first.secret, silentLogger());
    const seen: SfuEvent[] = [];
    remote.subscribe((e) => seen.push(e));
    let second: SfuProcess | undefined;
    try {
      await remote.createRoom({ roomId: 'kept' });
      await remote.createRoom({ roomId: 'closed-before' });
      await remote.closeRoom({ roomId: 'closed-before' });
      first.child.kill('SIGKILL');
      await first.stop();
      expect(await codeOf(remote.load())).toBe('unavailable');
      // A supervisor starts it again on the same address, with the same secret.
      second = await startSfuProcess({ SFU_RPC_PORT: port, SFU_RPC_SECRET: first.secret });
      const back = Date.now();
      await expect
        .poll(() => seen.filter((e) => e.type === 'roomClosed' && e.reason === 'workerDied'), {
          timeout: 5000,
          interval: 50,
        })
        .toEqual([{ type: 'roomClosed', roomId: 'kept', reason: 'workerDied' }]);
      expect(Date.now() - back).toBeLessThan(5000);
      // The room opens again on the new SFU.
      await remote.createRoom({ roomId: 'kept' });
      expect(
        (await remote.routerRtpCapabilities({ roomId: 'kept' })).codecs?.length,
      ).toBeGreaterThan(0);
    } finally {
      await remote.close();
      await first.stop();
      await second?.stop();
    }
  });
});
