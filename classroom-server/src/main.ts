import { createServer } from 'node:http';
import {
  closeServer,
  createCapabilityVerifier,
  listen,
  NodeHealth,
  refuseUpgrade,
  runService,
} from '@preau/protocol/server';
import {
  createSfu,
  createSfuClient,
  createSfuCluster,
  readSfuClusterConfig,
  readSfuConfig,
  type SfuApi,
} from '@preau/sfu';
import { openDatabase, RedisFanout } from '@preau/storage';
import { readAdmissionLimits } from './admission';
import { readClassroomConfig, readSessionTimeouts } from './config';
import { createClassroomServer } from './createClassroomServer';

// Entry point of the classroom server as its own process (`npm start -w classroom-server`).
runService({
  name: 'classroom',
  readConfig: () => ({ ...readClassroomConfig(), sfuCluster: readSfuClusterConfig() }),
  start: async (config, log) => {
    const database = await openDatabase(
      config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR },
      log.child({ module: 'db' }),
    );
    // Several SFU processes (SFU_URLS), one (SFU_URL), or one in this process.
    const { urls, secret, roomPeersPerNode, staleMs } = config.sfuCluster;
    const sfu: SfuApi = urls
      ? await createSfuCluster({ urls, secret: secret!, roomPeersPerNode, staleMs, log })
      : config.SFU_URL
        ? await createSfuClient(
            config.SFU_URL,
            config.SFU_RPC_SECRET!,
            log.child({ module: 'sfu' }),
          )
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
      timeouts: readSessionTimeouts(),
      admission: readAdmissionLimits(),
      ...(fanout ? { fanout } : {}),
      // With a shared Redis, live sessions span every classroom node.
      ...(config.REDIS_URL
        ? {
            cluster: {
              redisUrl: config.REDIS_URL,
              leaseMs: config.LIVE_LEASE_MS,
              forwardTimeoutMs: config.LIVE_FORWARD_TIMEOUT_MS,
              ...(config.CLASSROOM_NODE_ID ? { node: config.CLASSROOM_NODE_ID } : {}),
            },
          }
        : {}),
    });
    await classroom.ready;
    const health = new NodeHealth('classroom', () => ({
      connections: classroom.io.engine.clientsCount,
    }));
    const server = createServer((req, res) => {
      if (health.answer(req, res)) return;
      res.writeHead(404).end();
    });
    classroom.attach(server);
    server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname.startsWith(`${classroom.path}/`)) {
        classroom.handleUpgrade(req, socket, head);
      } else refuseUpgrade(socket);
    });
    const port = await listen(server, config.PORT, config.HOST);
    log.info({ port, host: config.HOST, path: classroom.path }, 'classroom server started');
    return {
      // Draining a classroom node is handing its sessions over (close): its sockets
      // reconnect through the balancer to another node, which takes the sessions on.
      // Waiting for a lesson to end would hold a rolling update for an hour.
      drain: async () => health.drain(),
      close: async () => {
        await classroom.close();
        await closeServer(server);
        await sfu.close();
        await fanout?.close();
        await database.close();
      },
    };
  },
});
