import type { Server } from 'node:http';
import type { UpgradeRoute } from '../app';
import type { Services } from '../services';
import { mountClassroom } from './classroom';
import { mountDocs } from './docs';

/** A realtime server mounted on the one port: its upgrade routes and how to stop it. */
export interface MountedRealtime {
  upgrades: UpgradeRoute[];
  close(): Promise<void>;
}

/** Mounts every realtime server (live sessions, documents) on the HTTP server. */
export async function mountRealtime(server: Server, services: Services): Promise<MountedRealtime> {
  const mounted = [await mountClassroom(server, services), await mountDocs(server, services)];
  return {
    upgrades: mounted.flatMap((m) => m.upgrades),
    close: async () => {
      for (const m of mounted.reverse()) await m.close();
    },
  };
}
