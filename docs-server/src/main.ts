import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  closeServer,
  createCapabilityVerifier,
  listen,
  NodeHealth,
  refuseUpgrade,
  runService,
} from '@preau/protocol/server';
import { openDatabase, RedisFanout } from '@preau/storage/docs';
import { readDocsConfig } from './config';
import { createDocsServer } from './createDocsServer';
import { warmUp } from './warmUp';

// Entry point of a docs server on its own port (`node --import tsx docs-server/src/main.ts`),
// for deployments where documents run on nodes of their own.
runService({
  name: 'docs-server',
  readConfig: () => readDocsConfig(),
  start: async (config, log) => {
    const database = await openDatabase(
      config.DATABASE_URL
        ? { url: config.DATABASE_URL }
        : { dataDir: join(config.DATA_DIR, 'pglite') },
      log.child({ module: 'db' }),
    );
    const fanout = config.REDIS_URL ? new RedisFanout(config.REDIS_URL) : undefined;
    const docs = createDocsServer({
      db: database.db,
      ...(fanout ? { fanout } : {}),
      ...(config.REDIS_URL
        ? { crossNode: { redisUrl: config.REDIS_URL, catchUpMs: config.DOCS_CATCH_UP_MS } }
        : {}),
      log,
      verify: createCapabilityVerifier({
        issuer: config.TOKEN_ISSUER,
        audience: 'preau:docs',
        jwks: config.JWKS ? JSON.parse(config.JWKS) : new URL(config.JWKS_URL!),
      }),
      compactEvery: config.DOCS_COMPACT_EVERY,
      firstSyncFromStorage: config.DOCS_FIRST_SYNC_FROM_STORAGE,
      broadcastWindow: {
        windowMs: config.DOCS_BROADCAST_MS,
        busyPerSecond: config.DOCS_BUSY_CHANGES,
      },
      limits: {
        messagesPerSecond: config.DOCS_MESSAGES_PER_SECOND,
        messageBurst: config.DOCS_MESSAGE_BURST,
      },
    });
    const health = new NodeHealth('docs', () => ({ ...docs.stats() }));
    const server = createServer((req, res) => {
      if (health.answer(req, res)) return;
      res.writeHead(404).end();
    });
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path.startsWith(docs.path)) docs.handleUpgrade(req, socket, head);
      else refuseUpgrade(socket);
    });
    await warmUp(database.db, log);
    const port = await listen(server, config.DOCS_PORT, config.HOST);
    log.info({ port, database: database.engine }, 'docs server listening');
    return {
      // Draining a docs node is closing it: editors reconnect through the balancer
      // to another node and send what it had not stored (the pages keep it).
      drain: async () => health.drain(),
      close: async () => {
        await docs.close();
        await closeServer(server);
        await fanout?.close();
        await database.close();
      },
    };
  },
});
