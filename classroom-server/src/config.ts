import { join } from 'node:path';
import { env, readConfig } from '@preau/protocol/server';
import { z } from 'zod';
import type { SessionTimeouts } from './session/types';

/**
 * The session timeouts a deployment may set, read from the environment
 * (standalone or composed into the one-port server).
 */
export function readSessionTimeouts(
  source: Record<string, string | undefined> = process.env,
): Partial<SessionTimeouts> {
  const config = readConfig(
    {
      // A live session nobody is in ends by itself after this (15 min: a break, not the day).
      LIVE_EMPTY_SESSION_SECONDS: env.int(15 * 60),
    },
    source,
  );
  const emptySessionMs = config.LIVE_EMPTY_SESSION_SECONDS * 1000;
  // Sessions no process holds are looked for this often: a fraction of the timeout, at most a minute.
  return { emptySessionMs, idleSweepMs: Math.min(60_000, Math.max(1000, emptySessionMs / 4)) };
}

/**
 * Configuration of a classroom server running as its own process, read once
 * from the environment. Composed into the one-port server, none of this is
 * read: web hands over its database, token verifier and SFU.
 */
export function readClassroomConfig(source: Record<string, string | undefined> = process.env) {
  const config = readConfig(
    {
      // Next to web's 3000, so both run on one developer machine.
      PORT: env.port(3100),
      // Loopback by default: exposing it to a network is a deliberate choice.
      HOST: z.string().default('127.0.0.1'),
      // The database web writes to; unset, an embedded PGlite for trying it out alone.
      DATABASE_URL: env.url('postgres', 'postgresql').optional(),
      DATA_DIR: z.string().default(join(process.cwd(), '.preau-classroom')),
      // Must equal web's TOKEN_ISSUER.
      TOKEN_ISSUER: z.string().min(1).default('preau'),
      // The Redis web publishes membership changes on; unset, none reach this process.
      // Set, this node also shares live sessions with every classroom node on the same Redis.
      REDIS_URL: env.url('redis', 'rediss').optional(),
      // Across nodes: how long a session's owner lease lives unrenewed (a dead node's sessions move after it).
      LIVE_LEASE_MS: env.int(3000),
      // Across nodes: how long a node waits for the owner's answer to a forwarded event.
      LIVE_FORWARD_TIMEOUT_MS: env.int(5000),
      // Across nodes: this node's name (unique per process); unset, host, pid and a random part.
      CLASSROOM_NODE_ID: z.string().min(1).max(100).optional(),
      // Web's public keys, served by the web app.
      JWKS_URL: env.url('http', 'https').default('http://127.0.0.1:3000/.well-known/jwks.json'),
      // A standalone SFU (ws://host:port); unset runs one in this process.
      SFU_URL: z
        .string()
        .regex(/^wss?:\/\//, 'a ws:// or wss:// URL')
        .optional(),
      SFU_RPC_SECRET: z.string().min(16, 'at least 16 characters').optional(),
      LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    },
    source,
  );
  if (config.SFU_URL && !config.SFU_RPC_SECRET) {
    throw new Error('invalid configuration:\n  SFU_RPC_SECRET: required when SFU_URL is set');
  }
  return config;
}

/** The standalone classroom server's configuration, frozen. */
export type ClassroomConfig = ReturnType<typeof readClassroomConfig>;
