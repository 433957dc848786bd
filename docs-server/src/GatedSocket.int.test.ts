import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { ACK_RIDE_MS, GatedSocket } from './GatedSocket';
import { messageType, SYNC_STATUS_TYPE } from './wire';

// Frames as Hocuspocus writes them: the document name, the type, a body.
const ACK = new Uint8Array([1, 0x64, SYNC_STATUS_TYPE, 1]);
const UPDATE = new Uint8Array([1, 0x64, 0, 2, 3, 9, 9, 9]);

/** A gated server socket over real loopback TCP, its writes to the system counted, and what its client receives. */
async function pair() {
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = createServer();
  const writes = { count: 0 };
  const accepted = new Promise<GatedSocket>((resolve) => {
    server.on('upgrade', (req, socket: Socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        // Writable's implementation methods: each call is one write to the socket.
        const stream = socket as unknown as Record<'_write' | '_writev', (...a: unknown[]) => void>;
        for (const method of ['_write', '_writev'] as const) {
          const write = stream[method].bind(socket);
          stream[method] = (...args) => {
            writes.count += 1;
            write(...args);
          };
        }
        resolve(new GatedSocket(ws, socket));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  const messages: Array<{ type: number | null; at: number }> = [];
  client.binaryType = 'nodebuffer';
  client.on('message', (data: Buffer) =>
    messages.push({ type: messageType(new Uint8Array(data)), at: performance.now() }),
  );
  await new Promise((resolve) => client.once('open', resolve));
  const gated = await accepted;
  return {
    gated,
    messages,
    writes,
    close: async () => {
      client.terminate();
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('GatedSocket', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('sends an acknowledgement only once stored, in the same write as the next message', async () => {
    const p = await pair();
    close = p.close;
    let stored!: () => void;
    p.gated.holdAcksUntil(new Promise<void>((resolve) => (stored = resolve)));
    p.gated.send(ACK);
    await sleep(30);
    expect(p.messages).toEqual([]);
    stored();
    await sleep(10);
    const before = p.writes.count;
    p.gated.send(UPDATE);
    await expect.poll(() => p.messages.length).toBe(2);
    expect(p.messages.map((m) => m.type)).toEqual([SYNC_STATUS_TYPE, 0]);
    expect(p.writes.count - before).toBe(1);
  });

  it('sends an acknowledgement alone when no message comes', async () => {
    const p = await pair();
    close = p.close;
    const [t0, before] = [performance.now(), p.writes.count];
    p.gated.send(ACK);
    p.gated.send(ACK);
    await expect.poll(() => p.messages.length, { timeout: ACK_RIDE_MS * 10 }).toBe(2);
    expect(p.messages.every((m) => m.type === SYNC_STATUS_TYPE)).toBe(true);
    expect(p.messages[0]!.at - t0).toBeGreaterThanOrEqual(ACK_RIDE_MS - 5);
    expect(p.writes.count - before).toBe(1);
  });

  it('never sends the acknowledgement of a change that was not stored', async () => {
    const p = await pair();
    close = p.close;
    p.gated.holdAcksUntil(Promise.reject(new Error('disk full')));
    p.gated.send(ACK);
    await sleep(ACK_RIDE_MS * 2);
    p.gated.send(UPDATE);
    await expect.poll(() => p.messages.length).toBe(1);
    await sleep(20);
    expect(p.messages.map((m) => m.type)).toEqual([0]);
  });
});
