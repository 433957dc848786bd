import type { Server } from 'node:http';
import { createClassroomServer } from '@preau/classroom-server';
import { createSfu, createSfuClient, createSfuCluster, type SfuApi } from '@preau/sfu';
import type { Services } from '../services';
import type { MountedRealtime } from './index';

/**
 * Mounts live sessions on the one port: socket.io serves its path's polling
 * requests on the HTTP server, and its WebSocket upgrades come through the
 * upgrade route (other paths stay with their own servers).
 */
export async function mountClassroom(server: Server, services: Services): Promise<MountedRealtime> {
  const log = services.log.child({ module: 'classroom' });
  const config = services.config.classroom;
  let sfu: SfuApi;
  const cluster = services.config.sfuCluster;
  if (cluster.urls) {
    // Several SFU processes: rooms placed by load, rebuilt elsewhere when one dies.
    sfu = await createSfuCluster({
      urls: cluster.urls,
      secret: cluster.secret!,
      roomPeersPerNode: cluster.roomPeersPerNode,
      staleMs: cluster.staleMs,
      log,
    });
  } else if (config.SFU_URL) {
    if (!config.SFU_RPC_SECRET) {
      throw new Error('invalid configuration:\n  SFU_RPC_SECRET: required when SFU_URL is set');
    }
    sfu = await createSfuClient(
      config.SFU_URL,
      config.SFU_RPC_SECRET,
      log.child({ module: 'sfu' }),
    );
  } else {
    sfu = await createSfu({ ...services.config.sfu.options, log });
  }
  const classroom = createClassroomServer({
    db: services.database.db,
    verifier: services.tokens.verifier('preau:classroom'),
    sfu,
    // Recordings are files of their space, in the same object storage.
    recording: { objects: services.objects },
    log,
    fanout: services.fanout,
    timeouts: services.config.sessionTimeouts,
    admission: services.config.admission,
  });
  await classroom.ready;
  classroom.attach(server);
  return {
    upgrades: [
      {
        prefix: `${classroom.path}/`,
        handle: (req, socket, head) => classroom.handleUpgrade(req, socket, head),
      },
    ],
    close: async () => {
      await classroom.close();
      await sfu.close();
    },
  };
}
