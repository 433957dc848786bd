import { join } from 'node:path';
import { DOC_LIMITS } from '@preau/protocol';
import { env, readConfig } from '@preau/protocol/server';
import { z } from 'zod';
import { BROADCAST_WINDOW_MS, BUSY_CHANGES_PER_SECOND } from './BroadcastWindow';

/** Configuration of a docs server run on its own (`docs-server/src/main.ts`). */
export function readDocsConfig(source: Record<string, string | undefined> = process.env) {
  const config = readConfig(
    {
      // Beside web's 3000: a docs node of its own behind the load balancer.
      DOCS_PORT: env.port(3001),
      // Loopback by default, like web.
      HOST: z.string().default('127.0.0.1'),
      // Where PGlite keeps its files when DATABASE_URL is unset.
      DATA_DIR: z.string().default(join(process.cwd(), '.preau-data')),
      // PostgreSQL shared with web (the normal case when running apart).
      DATABASE_URL: env.url('postgres', 'postgresql').optional(),
      // Redis shared with web and the other docs nodes: erasures reach documents
      // this node has open, and a document open on several nodes stays one.
      REDIS_URL: env.url('redis', 'rediss').optional(),
      // With REDIS_URL: how often open documents catch up with the database
      // (what a lost Redis message did not bring); one small query per tick.
      DOCS_CATCH_UP_MS: env.int(1000),
      // Tokens are minted by web with this issuer.
      TOKEN_ISSUER: z.string().min(1).default('preau'),
      // Web's public keys: its /.well-known/jwks.json, or the key set inline (JSON).
      JWKS_URL: env.url('http', 'https').optional(),
      JWKS: z.string().optional(),
      // A snapshot every this many updates bounds a cold load.
      DOCS_COMPACT_EVERY: env.int(500),
      // A client's first sync of a document not in memory is answered from the
      // stored bytes while the server integrates them (off: after, as Hocuspocus does).
      DOCS_FIRST_SYNC_FROM_STORAGE: env.bool(true),
      // While a document gets more than DOCS_BUSY_CHANGES changes a second, its
      // changes within DOCS_BROADCAST_MS reach its other editors as one message
      // (see BroadcastWindow; 0: each at once).
      DOCS_BROADCAST_MS: z.coerce.number().int().min(0).max(1000).default(BROADCAST_WINDOW_MS),
      DOCS_BUSY_CHANGES: env.int(BUSY_CHANGES_PER_SECOND),
      // Per-connection message rate and burst (see DOC_LIMITS for the reasons of the defaults).
      DOCS_MESSAGES_PER_SECOND: env.int(DOC_LIMITS.messagesPerSecond),
      DOCS_MESSAGE_BURST: env.int(DOC_LIMITS.messageBurst),
      LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    },
    source,
  );
  if (!config.JWKS_URL && !config.JWKS) {
    throw new Error('invalid configuration:\n  JWKS_URL, JWKS: one of them is required');
  }
  return config;
}
