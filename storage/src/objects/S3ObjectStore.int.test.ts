import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestS3 } from '../../../tests/support/s3';
import { S3ObjectStore } from './S3ObjectStore';

/** A request line at the start of a chunk: how the proxy counts requests. */
const REQUEST_LINE = /^(GET|PUT|HEAD|DELETE|POST) \//;

/**
 * A TCP proxy in front of the S3 endpoint that, when armed, resets (RST) the
 * connection that carries the next request, as a server does when it closes
 * a kept-alive connection the client is reusing.
 */
async function startResettingProxy(target: string) {
  const { hostname, port } = new URL(target);
  const stats = { requests: 0, resets: 0, resetsOfReused: 0, connections: 0 };
  let armed = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    stats.connections++;
    let served = 0;
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      const request = REQUEST_LINE.test(chunk.toString('latin1', 0, 8));
      if (request) stats.requests++;
      if (request && armed > 0) {
        armed--;
        stats.resets++;
        if (served > 0) stats.resetsOfReused++;
        upstream.destroy();
        client.resetAndDestroy();
        return;
      }
      if (request) served++;
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stats,
    /** Resets the connections carrying the next `n` requests. */
    resetNext(n: number) {
      armed = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('S3 object store over connections that get reset', () => {
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let proxy: Awaited<ReturnType<typeof startResettingProxy>>;
  let store: S3ObjectStore;
  const bytes = new TextEncoder().encode('segment 0001');

  beforeAll(async () => {
    s3 = await startTestS3('preau-retry');
    proxy = await startResettingProxy(s3.endpoint);
    store = new S3ObjectStore(
      { ...s3, endpoint: proxy.endpoint, region: 'us-east-1', bucket: 'preau-retry' },
      { attempts: 3, pauseMs: 20 },
    );
  });
  afterAll(async () => {
    await proxy?.close();
    await s3?.close();
  });
  beforeEach(async () => {
    proxy.resetNext(0);
    // A request first, so the next one goes out on a kept-alive connection.
    await store.head('warm-up');
  });

  /** Runs `work` with the next request's connection reset; returns what it gave and the resets seen. */
  async function afterOneReset<T>(work: () => Promise<T>) {
    const before = { ...proxy.stats };
    proxy.resetNext(1);
    const result = await work();
    return {
      result,
      resets: proxy.stats.resets - before.resets,
      resetsOfReused: proxy.stats.resetsOfReused - before.resetsOfReused,
      requests: proxy.stats.requests - before.requests,
    };
  }

  it('retries a put of the same key and body, and stores it once', async () => {
    const put = await afterOneReset(() => store.put('seg/a/0001', bytes, 'application/x-ndjson'));
    expect(put).toMatchObject({ resets: 1, resetsOfReused: 1, requests: 2 });
    expect(await s3.store.get('seg/a/0001')).toEqual(bytes);
    expect(await s3.store.list('seg/a/')).toEqual(['seg/a/0001']);
  });

  it('retries a get, a head and a list', async () => {
    await s3.store.put('seg/b/0001', bytes, 'application/x-ndjson');
    await s3.store.put('seg/b/0002', bytes);
    const get = await afterOneReset(() => store.get('seg/b/0001'));
    expect(get).toMatchObject({ result: bytes, resets: 1, requests: 2 });
    const head = await afterOneReset(() => store.head('seg/b/0001'));
    expect(head).toMatchObject({
      result: { key: 'seg/b/0001', size: bytes.byteLength, contentType: 'application/x-ndjson' },
      resets: 1,
      requests: 2,
    });
    const missing = await afterOneReset(() => store.get('seg/b/none'));
    expect(missing).toMatchObject({ result: null, resets: 1 });
    const list = await afterOneReset(() => store.list('seg/b/'));
    expect(list).toMatchObject({ result: ['seg/b/0001', 'seg/b/0002'], resets: 1 });
  });

  it('retries a delete', async () => {
    await s3.store.put('seg/c/0001', bytes);
    const deleted = await afterOneReset(() => store.delete('seg/c/0001'));
    expect(deleted).toMatchObject({ resets: 1, requests: 2 });
    expect(await s3.store.get('seg/c/0001')).toBeNull();
  });

  it('gives up after its bounded tries and reports the network error', async () => {
    const before = proxy.stats.resets;
    proxy.resetNext(10);
    const failure = await store.put('seg/d/0001', bytes).then(
      () => null,
      (err: { code?: string }) => err,
    );
    expect(failure?.code).toMatch(/^(ECONNRESET|EPIPE)$/);
    expect(proxy.stats.resets - before).toBe(3);
    proxy.resetNext(0);
    expect(await s3.store.get('seg/d/0001')).toBeNull();
  });

  it('does not retry what a retry cannot fix (a missing bucket)', async () => {
    const elsewhere = new S3ObjectStore(
      { ...s3, endpoint: proxy.endpoint, region: 'us-east-1', bucket: 'no-such-bucket' },
      { attempts: 3, pauseMs: 20 },
    );
    const before = proxy.stats.requests;
    await expect(elsewhere.put('seg/e/0001', bytes)).rejects.toMatchObject({
      code: 'NoSuchBucket',
    });
    expect(proxy.stats.requests - before).toBe(1);
  });
});
