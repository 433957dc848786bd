import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@preau/protocol/server';
import type { Schema } from '@preau/storage';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { AnyHandler } from '../handlers/defineHandler';
import type { SessionOutbox } from '../session/types';
import { clusterOutbox } from './clusterOutbox';
import { LiveCluster } from './liveCluster';
import { redisConnectionName } from './ownership';

/** How a classroom node joins the others. */
export interface LiveClusterSettings {
  /** The Redis every classroom node of the deployment shares. */
  redisUrl: string;
  /** This node's name; defaults to the host, the process and a random part (unique per start). */
  node?: string;
  /** How long a session's lease lives unrenewed (a dead owner's sessions move after this). */
  leaseMs?: number;
  /** How long a node waits for the owner's answer to a forwarded event. */
  forwardTimeoutMs?: number;
}

/** Defaults: a dead node's sessions move within 3 s, an owner answers within 5 s. */
export const DEFAULT_CLUSTER_TIMINGS = { leaseMs: 3000, forwardTimeoutMs: 5000 };

/** The parts of a classroom node that cross nodes. */
export interface ClassroomCluster {
  /** socket.io's adapter on Redis Streams, for every namespace of the server. */
  readonly adapter: ReturnType<typeof createAdapter>;
  /** Session ownership and forwarding. */
  readonly live: LiveCluster;
  /** A session's outbox whose reconnections reach any node. */
  outbox(local: SessionOutbox): SessionOutbox;
  /** Closes the Redis connection (after the adapters and `live`). */
  close(): Promise<void>;
}

/** Connects a classroom node to the others through Redis. */
export function startLiveCluster(
  settings: LiveClusterSettings,
  deps: { db: Kysely<Schema>; log: Logger; handlers: readonly AnyHandler[] },
): ClassroomCluster {
  const node = settings.node ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  // Named, as are its duplicates (the adapter's, the subscriber): the other nodes
  // read a killed node's death from its connections being gone.
  // Auto-pipelined: the commands issued in one turn of the event loop (a
  // broadcast's XADD, a forwarded event's PUBLISH, lease renewals) leave in one
  // write instead of one system call each.
  const redis = new Redis(settings.redisUrl, {
    maxRetriesPerRequest: 3,
    connectionName: redisConnectionName(node),
    enableAutoPipelining: true,
  });
  redis.on('error', (err: Error) => deps.log.warn({ err }, 'classroom cluster: Redis error'));
  const live = new LiveCluster({
    redis,
    node,
    db: deps.db,
    log: deps.log,
    leaseMs: settings.leaseMs ?? DEFAULT_CLUSTER_TIMINGS.leaseMs,
    forwardTimeoutMs: settings.forwardTimeoutMs ?? DEFAULT_CLUSTER_TIMINGS.forwardTimeoutMs,
    handlers: deps.handlers,
  });
  return {
    adapter: createAdapter(redis, { streamName: 'preau:classroom' }),
    live,
    outbox: (local) => clusterOutbox(local, (socketId) => live.reconnect(socketId)),
    close: async () => {
      redis.disconnect();
    },
  };
}
