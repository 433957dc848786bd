import { createServer } from 'node:http';
import { join } from 'node:path';
import { createCapabilityVerifier, createLogger } from '@preau/protocol/server';
import { openDatabase } from '@preau/storage';
import { readDocsConfig } from './config';
import { createDocsServer } from './createDocsServer';

/** Entry point of a docs server running on its own port (many-machines deployment). */
async function main() {
  let config: ReturnType<typeof readDocsConfig>;
  try {
    config = readDocsConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const log = createLogger('docs-server', config.LOG_LEVEL);
  const database = await openDatabase(
    config.DATABASE_URL
      ? { url: config.DATABASE_URL }
      : { dataDir: join(config.DATA_DIR, 'pglite') },
    log.child({ module: 'db' }),
  );
  const verify = createCapabilityVerifier({
    issuer: config.TOKEN_ISSUER,
    audience: 'preau:docs',
    jwks: config.JWKS ? JSON.parse(config.JWKS) : new URL(config.JWKS_URL!),
  });
  const docs = createDocsServer({
    db: database.db,
    log,
    verify,
    compactEvery: config.DOCS_COMPACT_EVERY,
    limits: {
      messagesPerSecond: config.DOCS_MESSAGES_PER_SECOND,
      messageBurst: config.DOCS_MESSAGE_BURST,
    },
  });
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(docs.stats()));
      return;
    }
    res.writeHead(404).end();
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path.startsWith(docs.path)) return docs.handleUpgrade(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.DOCS_PORT, config.HOST, () => resolve());
  });
  const { port } = server.address() as { port: number };
  log.info({ port, database: database.engine }, 'docs server listening');

  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    (async () => {
      await docs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    })().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
