import type { Server } from 'node:http';
import { createDocsServer, warmUp } from '@preau/docs-server';
import type { Services } from '../services';
import type { MountedRealtime } from './index';

/**
 * Mounts the docs server on the one port: WebSocket upgrades on
 * `/docs-ws/<docId>?token=…` go to Hocuspocus, authorised with web's own
 * capability tokens (audience 'preau:docs'), documents stored in web's
 * database; erasures reach loaded documents through the fan-out, and with
 * REDIS_URL a document open on several nodes stays one (see NodeRelay).
 */
export async function mountDocs(_server: Server, services: Services): Promise<MountedRealtime> {
  const docs = createDocsServer({
    db: services.database.db,
    log: services.log,
    verify: services.tokens.verifier('preau:docs'),
    fanout: services.fanout,
    // With a shared Redis, documents also stay one across web nodes.
    ...(services.config.REDIS_URL ? { crossNode: { redisUrl: services.config.REDIS_URL } } : {}),
  });
  await docs.ready;
  await warmUp(services.database.db, services.log);
  return {
    upgrades: [
      {
        prefix: `${docs.path}/`,
        handle: (req, socket, head) => docs.handleUpgrade(req, socket, head),
      },
    ],
    close: () => docs.close(),
  };
}
