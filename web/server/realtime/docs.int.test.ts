import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { DOCS_WS_PATH } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { createDoc, readDocParts } from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startPostgres, type TestPostgres } from '../../../tests/support/postgres';
import { startRedis, type TestRedis } from '../../../tests/support/redis';
import { readServerConfig } from '../config';
import { createServices, type Services } from '../services';
import { mountDocs } from './docs';
import type { MountedRealtime } from './index';

const SPACE = 'class_webnodes';

/** A web node's documents, as web mounts them in its own process: services, then the docs upgrade route. */
async function startWebDocs(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'preau-webdocs-'));
  const config = readServerConfig({ DATA_DIR: dataDir, DEMO_DATA: 'false', ...env });
  let services: Services | undefined;
  let mounted: MountedRealtime | undefined;
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  const close = async () => {
    await mounted?.close();
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    await services?.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    services = await createServices(config, silentLogger());
    mounted = await mountDocs(server, services);
    const route = mounted.upgrades[0]!;
    server.on('upgrade', (req, socket, head) => route.handle(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  } catch (err) {
    await close();
    throw err;
  }
  const { port } = server.address() as { port: number };
  return { services, wsUrl: `ws://127.0.0.1:${port}${DOCS_WS_PATH}`, close };
}

describe('documents on two web nodes sharing PostgreSQL and Redis', () => {
  let redis: TestRedis | undefined;
  let pg: TestPostgres | undefined;
  const nodes: Array<Awaited<ReturnType<typeof startWebDocs>>> = [];
  const providers: HocuspocusProvider[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    pg = await startPostgres();
    for (let i = 0; i < 2; i++) {
      nodes.push(await startWebDocs({ DATABASE_URL: pg.url, REDIS_URL: redis.url }));
    }
  }, 240_000);

  afterAll(async () => {
    const steps = [
      ...providers.map((p) => async () => p.destroy()),
      ...nodes.map((n) => () => n.close()),
      async () => pg?.stop(),
      async () => redis?.stop(),
    ];
    const failures: unknown[] = [];
    for (const step of steps) await step().catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw failures[0];
  }, 60_000);

  it('one pad edited through both nodes converges and is stored once per change', async () => {
    const [one, two] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const docId = (
      await createDoc(one.services.database.db, {
        space: SPACE,
        kind: 'pad',
        title: 'Deux nœuds',
        actor: 'p_a',
      })
    ).id;
    const open = async (node: (typeof nodes)[0], sub: string) => {
      // A token minted by either node verifies on both: the signing keys are in the database.
      const token = await one.services.tokens.mint('preau:docs', {
        sub,
        name: sub,
        profiles: [],
        space: SPACE,
        rights: ['read', 'write'],
        doc: docId,
      });
      const provider = new HocuspocusProvider({
        url: `${node.wsUrl}/${docId}?token=${encodeURIComponent(token)}`,
        name: docId,
        token,
        document: new Y.Doc(),
      });
      providers.push(provider);
      await expect.poll(() => provider.isSynced, { timeout: 20_000 }).toBe(true);
      return provider;
    };
    const alice = await open(one, 'p_a');
    const bob = await open(two, 'p_b');
    alice.document.getText('t').insert(0, 'Bonjour');
    await expect.poll(() => bob.document.getText('t').toString()).toBe('Bonjour');
    bob.document.getText('t').insert(7, ' !');
    await expect.poll(() => alice.document.getText('t').toString()).toBe('Bonjour !');
    // Carets only travel through Redis.
    bob.setAwarenessField('cursor', { anchor: 1, head: 2 });
    await expect
      .poll(() => alice.awareness?.getStates().get(bob.document.clientID)?.cursor)
      .toEqual({ anchor: 1, head: 2 });
    await expect
      .poll(async () =>
        (await readDocParts(one.services.database.db, docId)).updates.map((u) => u.author),
      )
      .toEqual(['p_a', 'p_b']);
  });
});
