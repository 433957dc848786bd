import type { Server } from 'node:http';
import { createClassroomServer, readSessionTimeouts } from '@preau/classroom-server';
import { readConfig } from '@preau/protocol/server';
import { createSfu, createSfuClient, readSfuConfig, type SfuApi } from '@preau/sfu';
import { z } from 'zod';
import type { Services } from '../services';
import type { MountedRealtime } from './index';

/**
 * Where the SFU runs, read once from the environment: unset, in this process
 * (the embedded default, with the SFU_* worker settings); set, a separate SFU
 * process reached over its authenticated RPC.
 */
function readClassroomMountConfig(source: Record<string, string | undefined>) {
  return readConfig(
    {
      // ws://host:port of a standalone SFU (`npm run start -w sfu`); unset runs one in process.
      SFU_URL: z
        .string()
        .regex(/^wss?:\/\//, 'a ws:// or wss:// URL')
        .optional(),
      // Shared with that SFU; required with SFU_URL.
      SFU_RPC_SECRET: z.string().min(16, 'at least 16 characters').optional(),
    },
    source,
  );
}

/**
 * Mounts live sessions on the one port: socket.io serves its path's polling
 * requests on the HTTP server, and its WebSocket upgrades come through the
 * upgrade route (other paths stay with their own servers).
 */
export async function mountClassroom(
  server: Server,
  services: Services,
  env: Record<string, string | undefined> = process.env,
): Promise<MountedRealtime> {
  const log = services.log.child({ module: 'classroom' });
  const config = readClassroomMountConfig(env);
  let sfu: SfuApi;
  if (config.SFU_URL) {
    if (!config.SFU_RPC_SECRET) {
      throw new Error('invalid configuration:\n  SFU_RPC_SECRET: required when SFU_URL is set');
    }
    sfu = await createSfuClient(
      config.SFU_URL,
      config.SFU_RPC_SECRET,
      log.child({ module: 'sfu' }),
    );
  } else {
    sfu = await createSfu({ ...readSfuConfig(env).options, log });
  }
  const classroom = createClassroomServer({
    db: services.database.db,
    verifier: services.tokens.verifier('preau:classroom'),
    sfu,
    log,
    fanout: services.fanout,
    timeouts: readSessionTimeouts(env),
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
