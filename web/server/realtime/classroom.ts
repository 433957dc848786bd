import type { Server } from 'node:http';
import type { Services } from '../services';
import type { MountedRealtime } from './index';

/** Mounts the classroom server on the one port (filled by the classroom work). */
export async function mountClassroom(
  _server: Server,
  _services: Services,
): Promise<MountedRealtime> {
  return { upgrades: [], close: async () => {} };
}
