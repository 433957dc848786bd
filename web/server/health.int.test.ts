import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPreau } from '../../tests/support/preau';
import type { RunningPreau } from './app';

// A web node behind the balancer: no realtime server of its own, a health
// check that says when it drains, and pages served until it has drained.
describe('a web node with REALTIME=external', () => {
  let preau: RunningPreau;
  beforeAll(async () => {
    preau = await startTestPreau({
      REALTIME: 'external',
      DEMO_DATA: 'false',
      DRAIN_NOTICE_SECONDS: '1',
      DRAIN_TIMEOUT_SECONDS: '5',
    });
  });
  afterAll(() => preau?.close());

  it('serves pages and the JWKS, but neither live nor document sockets', async () => {
    expect((await fetch(`${preau.url}/.well-known/jwks.json`)).status).toBe(200);
    const live = await fetch(`${preau.url}/live/socket.io/?EIO=4&transport=polling`);
    expect(live.status).toBe(404);
    await live.arrayBuffer();
    const health = await fetch(`${preau.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ kind: 'web', state: 'serving', requests: 0 });
  });

  it('says draining at once, keeps serving pages meanwhile, and ends once idle', async () => {
    const started = Date.now();
    const drained = preau.drain();
    const health = await fetch(`${preau.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ kind: 'web', state: 'draining' });
    const page = await fetch(`${preau.url}/`, { redirect: 'manual' });
    expect(page.status).toBeLessThan(400);
    await page.arrayBuffer();
    await drained;
    // The notice time, not the whole timeout: nothing was in flight.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
