import { env, readConfig } from '@preau/protocol/server';
import { z } from 'zod';

/**
 * Where the SFU processes of a cluster are, read once from the environment
 * by whoever drives them (a classroom node): `SFU_URLS` lists them; unset,
 * there is no cluster.
 */
export function readSfuClusterConfig(source: Record<string, string | undefined> = process.env) {
  const config = readConfig(
    {
      // Comma-separated ws:// addresses of the SFU processes' RPC (each `…/sfu-rpc`).
      SFU_URLS: z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((u) => u.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.string().regex(/^wss?:\/\//, 'ws:// or wss:// URLs')).min(1))
        .optional(),
      // Shared with every SFU process.
      SFU_RPC_SECRET: z.string().min(16, 'at least 16 characters').optional(),
      // 200 peers of one room on one node (four routers of 50) before it spreads to another node.
      SFU_ROOM_PEERS_PER_NODE: env.int(200),
      // Three missed reports (one a second) and a node is taken for dead.
      SFU_NODE_STALE_MS: env.int(3000),
    },
    source,
  );
  if (config.SFU_URLS && !config.SFU_RPC_SECRET) {
    throw new Error('invalid configuration:\n  SFU_RPC_SECRET: required when SFU_URLS is set');
  }
  return Object.freeze({
    urls: config.SFU_URLS,
    secret: config.SFU_RPC_SECRET,
    roomPeersPerNode: config.SFU_ROOM_PEERS_PER_NODE,
    staleMs: config.SFU_NODE_STALE_MS,
  });
}

/** The cluster's configuration, frozen. */
export type SfuClusterConfig = ReturnType<typeof readSfuClusterConfig>;
