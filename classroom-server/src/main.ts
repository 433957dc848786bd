import { createServer } from 'node:http';
import { createCapabilityVerifier, createLogger } from '@preau/protocol/server';
import { createSfu, createSfuClient, readSfuConfig, type SfuApi } from '@preau/sfu';
import { openDatabase, RedisFanout } from '@preau/storage';
import { type ClassroomConfig, readClassroomConfig } from './config';
import { createClassroomServer } from './createClassroomServer';

/** Entry point of the classroom server as its own process (`npm start -w classroom-server`). */
async function main() {
  let config: ClassroomConfig;
  try {
    config = readClassroomConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const log = createLogger('classroom', config.LOG_LEVEL);
  const database = await openDatabase(
    config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR },
    log.child({ module: 'db' }),
  );
  const sfu: SfuApi = config.SFU_URL
    ? await createSfuClient(config.SFU_URL, config.SFU_RPC_SECRET!, log.child({ module: 'sfu' }))
    : await createSfu({ ...readSfuConfig().options, log });
  const fanout = config.REDIS_URL ? new RedisFanout(config.REDIS_URL) : undefined;
  const classroom = createClassroomServer({
    db: database.db,
    verifier: createCapabilityVerifier({
      issuer: config.TOKEN_ISSUER,
      audience: 'preau:classroom',
      jwks: new URL(config.JWKS_URL),
    }),
    sfu,
    log,
    ...(fanout ? { fanout } : {}),
  });
  await classroom.ready;
  const server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  classroom.attach(server);
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname.startsWith(`${classroom.path}/`)) {
      classroom.handleUpgrade(req, socket, head);
    } else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  log.info(
    { port: config.PORT, host: config.HOST, path: classroom.path },
    'classroom server started',
  );

  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    (async () => {
      await classroom.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sfu.close();
      await fanout?.close();
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
