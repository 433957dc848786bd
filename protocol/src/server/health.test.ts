import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeHealth, readDrainConfig } from './health';

describe('NodeHealth', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function serve(health: NodeHealth) {
    server = createServer((req, res) => {
      if (!health.answer(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  it('answers 200 while serving and 503 once draining, leaving other paths alone', async () => {
    const health = new NodeHealth('docs', () => ({ connections: 3 }));
    const url = await serve(health);
    const first = await fetch(`${url}/healthz`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ kind: 'docs', state: 'serving', connections: 3 });
    expect((await fetch(`${url}/other`)).status).toBe(404);
    health.drain();
    const second = await fetch(`${url}/healthz?probe=1`);
    expect(second.status).toBe(503);
    expect(await second.json()).toMatchObject({ state: 'draining' });
  });

  it('drains for the notice time, then until nothing is busy, at most the timeout', async () => {
    const health = new NodeHealth('web');
    let busy = 2;
    setTimeout(() => {
      busy = 0;
    }, 400);
    const started = Date.now();
    await health.drainConnections(() => busy, { noticeMs: 100, timeoutMs: 5000 });
    const took = Date.now() - started;
    expect(health.state).toBe('draining');
    expect(took).toBeGreaterThanOrEqual(350);
    expect(took).toBeLessThan(2000);

    const stuck = Date.now();
    await new NodeHealth('web').drainConnections(() => 1, { noticeMs: 50, timeoutMs: 500 });
    expect(Date.now() - stuck).toBeGreaterThanOrEqual(450);
  });

  it('reads its timings from the environment, the timeout never shorter than the notice', () => {
    expect(readDrainConfig({})).toEqual({ noticeMs: 3000, timeoutMs: 30_000 });
    expect(readDrainConfig({ DRAIN_NOTICE_SECONDS: '5', DRAIN_TIMEOUT_SECONDS: '2' })).toEqual({
      noticeMs: 5000,
      timeoutMs: 5000,
    });
    expect(() => readDrainConfig({ DRAIN_TIMEOUT_SECONDS: 'soon' })).toThrow(
      /DRAIN_TIMEOUT_SECONDS/,
    );
  });
});
