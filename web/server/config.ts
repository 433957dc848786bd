import { join } from 'node:path';
import { readAdmissionLimits, readSessionTimeouts } from '@preau/classroom-server';
import { env, readConfig, readDrainConfig } from '@preau/protocol/server';
import { readSfuClusterConfig, readSfuConfig } from '@preau/sfu';
import { readArchiveConfig } from '@preau/storage';
import { z } from 'zod';

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
 * Configuration of the one-port Préau server, read once from the environment
 * at start (the composition root hands each part its own section): web's
 * settings, where the SFU runs, the SFU's workers, live session timeouts and
 * the archive's intervals. Each setting has a default that runs the embedded
 * default on one machine.
 */
export function readServerConfig(source: Record<string, string | undefined> = process.env) {
  const config = readConfig(
    {
      // 3000 is the usual port for a Node web app on a developer's machine.
      PORT: env.port(3000),
      // Loopback by default: exposing Préau to a network is a deliberate choice.
      HOST: z.string().default('127.0.0.1'),
      // The address users type; cookies, OIDC redirects and tokens are issued for it.
      PUBLIC_URL: env.url('http', 'https').optional(),
      // Where PGlite and the local S3 endpoint keep their files (survives restarts).
      DATA_DIR: z.string().default(join(process.cwd(), '.preau-data')),
      // Set to use PostgreSQL instead of the embedded PGlite.
      DATABASE_URL: env.url('postgres', 'postgresql').optional(),
      // Set to fan out across nodes through Redis instead of in memory.
      REDIS_URL: env.url('redis', 'rediss').optional(),
      // Set (with keys) to use an S3 service such as MinIO instead of the local endpoint.
      S3_ENDPOINT: env.url('http', 'https').optional(),
      S3_ACCESS_KEY: z.string().optional(),
      S3_SECRET_KEY: z.string().optional(),
      // MinIO ignores the region but the S3 signature needs one.
      S3_REGION: z.string().default('us-east-1'),
      // One bucket for objects; the archive uses its own prefix layout inside it.
      S3_BUCKET: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
        .default('preau'),
      // Issuer of capability tokens; every web node of one deployment shares it.
      TOKEN_ISSUER: z.string().min(1).default('preau'),
      // How often a new capability signing key takes over (old keys stay published until
      // their last token expires): a day keeps the JWKS short.
      TOKEN_KEY_ROTATION_HOURS: env.int(24),
      // The ENT's OpenID Connect provider; unset, an embedded demo provider serves /oidc.
      OIDC_ISSUER: env.url('http', 'https').optional(),
      // Préau's client at the provider (the demo provider uses these too).
      OIDC_CLIENT_ID: z.string().min(1).default('preau'),
      OIDC_CLIENT_SECRET: z.string().min(1).optional(),
      // Scopes asked at sign-in; the provider must return OIDC_LOGIN_CLAIM in the ID token.
      OIDC_SCOPES: z.string().default('openid profile'),
      // The ID token claim matched against the directory's login (`sub` unless pairwise).
      OIDC_LOGIN_CLAIM: z.string().min(1).default('sub'),
      // A school day and then some: a session signed in at 8:00 lasts the day.
      SESSION_TTL_HOURS: env.int(12),
      // Opens the password-less demo sign-in on any address (a demonstration on a trusted
      // network); off, it serves on loopback only. Every page then says so.
      DEMO_SIGNIN: env.bool(false),
      // `external`: live classes, spaces' chats and documents run on classroom and docs
      // nodes of their own behind the balancer; this node serves pages, API, sign-in, JWKS.
      REALTIME: env.oneOf(['embedded', 'external'], 'embedded'),
      // Fills an empty directory with the demo schools, classes and accounts at start.
      DEMO_DATA: env.bool(true),
      LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    },
    source,
  );
  if (config.S3_ENDPOINT && !(config.S3_ACCESS_KEY && config.S3_SECRET_KEY)) {
    throw new Error(
      'invalid configuration:\n  S3_ACCESS_KEY, S3_SECRET_KEY: required when S3_ENDPOINT is set',
    );
  }
  if (config.OIDC_ISSUER && !config.OIDC_CLIENT_SECRET) {
    throw new Error(
      'invalid configuration:\n  OIDC_CLIENT_SECRET: required when OIDC_ISSUER is set',
    );
  }
  if (!config.OIDC_ISSUER && !isLoopback(config.HOST) && !config.DEMO_SIGNIN) {
    throw new Error(
      `invalid configuration:\n  OIDC_ISSUER: Préau would serve ${config.HOST} with the password-less demo sign-in; ` +
        'set OIDC_ISSUER and OIDC_CLIENT_SECRET (the ENT’s identity provider), or listen on ' +
        '127.0.0.1, or set DEMO_SIGNIN=true for a demonstration on a trusted network ' +
        '(every page then shows a banner)',
    );
  }
  return Object.freeze({
    ...config,
    /** Where the SFU runs (in process unless SFU_URL). */
    classroom: readClassroomMountConfig(source),
    /** The in-process SFU's workers and ports (SFU_*). */
    sfu: readSfuConfig(source),
    /** Several SFU processes driven as one (SFU_URLS), when set. */
    sfuCluster: readSfuClusterConfig(source),
    /** When an empty live session ends by itself. */
    sessionTimeouts: readSessionTimeouts(source),
    /** What the live sessions' node takes before it answers `busy` (LIVE_MAX_*). */
    admission: readAdmissionLimits(source),
    /** The archiver's and retention sweeper's intervals (ARCHIVE_*). */
    archive: readArchiveConfig(source),
    /** How long the node drains on SIGTERM (DRAIN_*). */
    drain: readDrainConfig(source),
    /**
     * How people sign in: `external` (the ENT's provider), `demo` (the demo
     * provider, on loopback only) or `demo-open` (the demo provider opened
     * on purpose with DEMO_SIGNIN, on any address: every page shows a banner).
     */
    signIn: (config.OIDC_ISSUER ? 'external' : config.DEMO_SIGNIN ? 'demo-open' : 'demo') as
      | 'external'
      | 'demo'
      | 'demo-open',
  });
}

/** Whether an address to listen on is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The server's configuration, frozen. */
export type ServerConfig = ReturnType<typeof readServerConfig>;
