import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralLow, freePort } from './ports';

describe('free ports for the servers tests start', () => {
  it('are bindable on loopback and outside the range outgoing connections take', async () => {
    const low = ephemeralLow();
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    // Never the same port twice in a row of asks, as a cluster makes before starting anything.
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(1024);
      if (low !== null) expect(port).toBeLessThan(low);
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
