import type { Server } from 'node:http';
import type { Services } from '../services';
import type { MountedRealtime } from './index';

/** Mounts the docs server on the one port (filled by the docs work). */
export async function mountDocs(_server: Server, _services: Services): Promise<MountedRealtime> {
  return { upgrades: [], close: async () => {} };
}
