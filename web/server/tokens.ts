import { randomBytes } from 'node:crypto';
import type { Audience, CapabilityClaims } from '@preau/protocol';
import {
  type CapabilityVerifier,
  createCapabilityVerifier,
  type Logger,
  mintCapability,
  type SigningKey,
} from '@preau/protocol/server';
import {
  changeSigningKeys,
  type Database,
  listSigningKeys,
  type StoredSigningKey,
} from '@preau/storage';
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose';

/** Issues and checks the capability tokens that the realtime servers trust. */
export interface TokenService {
  readonly issuer: string;
  /** Mints a short-lived token for one audience. */
  mint(audience: Audience, claims: CapabilityClaims): Promise<string>;
  /** A verifier for one audience, seeing key rotations at once. */
  verifier(audience: Audience): CapabilityVerifier;
  /** Public keys, served at /.well-known/jwks.json for servers in other processes. */
  jwks(): JSONWebKeySet;
}

/** The token service with its key rotation exposed (for the server and tests). */
export interface RotatingTokenService extends TokenService {
  /** Reads the keys from the store, rotates when due, drops retired keys. */
  refresh(): Promise<void>;
  /** The kid that signs right now. */
  currentKid(): string;
  close(): void;
}

/** Token lifetime: long enough to connect, short enough that a revocation bites soon. */
export const TOKEN_TTL_SECONDS = 300;

/** Where the keys live: the database (shared by every web node), or memory. */
interface KeyStore {
  list(): Promise<StoredSigningKey[]>;
  change(
    fn: (keys: StoredSigningKey[]) => Promise<{ add: StoredSigningKey[]; remove: string[] }>,
  ): Promise<void>;
}

/** Options of key rotation; the clock is injectable so tests need not wait a day. */
export interface TokenServiceOptions {
  database?: Database;
  log?: Logger;
  /** A new key takes over this often (default a day). */
  rotateEverySeconds?: number;
  now?: () => number;
}

/**
 * Creates the token service. Ed25519 keys live in the database and rotate by
 * `kid` without downtime: a new key is published in the JWKS a few refresh
 * periods before it starts signing (so every node and verifier knows it
 * first), and a retired key stays published until the last token it signed
 * has expired. Every node re-reads the keys periodically.
 */
export async function createTokenService(
  issuer: string,
  opts: TokenServiceOptions = {},
): Promise<RotatingTokenService> {
  const now = opts.now ?? Date.now;
  const rotateMs = (opts.rotateEverySeconds ?? 86_400) * 1000;
  // Refresh often enough that a published key is seen everywhere before it signs.
  const refreshMs = Math.min(60_000, Math.max(1_000, rotateMs / 10));
  const publishAheadMs = 3 * refreshMs;
  const retainMs = (TOKEN_TTL_SECONDS + 60) * 1000;
  const store = opts.database ? databaseStore(opts.database) : memoryStore();

  let keys: Array<StoredSigningKey & { signing: SigningKey }> = [];
  const imported = new Map<string, SigningKey>();
  const load = async () => {
    const stored = await store.list();
    keys = [];
    for (const k of stored) {
      let signing = imported.get(k.kid);
      if (!signing) {
        signing = {
          kid: k.kid,
          privateKey: (await importJWK(k.privateJwk as JWK, 'EdDSA')) as CryptoKey,
          publicJwk: k.publicJwk as JWK,
        };
        imported.set(k.kid, signing);
      }
      keys.push({ ...k, signing });
    }
  };
  const current = () => {
    const t = now();
    const active = keys.filter((k) => k.activatesAt.getTime() <= t);
    return active.at(-1) ?? keys[0];
  };

  const refresh = async () => {
    await store.change(async (stored) => {
      const t = now();
      const active = stored.filter((k) => k.activatesAt.getTime() <= t);
      const pending = stored.filter((k) => k.activatesAt.getTime() > t);
      const add: StoredSigningKey[] = [];
      const latest = active.at(-1);
      if (!latest) add.push(await newKey(new Date(t)));
      else if (
        pending.length === 0 &&
        latest.activatesAt.getTime() + rotateMs - publishAheadMs <= t
      )
        add.push(await newKey(new Date(t + publishAheadMs)));
      // A key is retired once a newer one signs; it stays until its last token expired.
      const remove = active
        .slice(0, -1)
        .filter((_k, i) => active[i + 1]!.activatesAt.getTime() + retainMs <= t)
        .map((k) => k.kid);
      return { add, remove };
    });
    await load();
    for (const kid of imported.keys()) if (!keys.some((k) => k.kid === kid)) imported.delete(kid);
  };

  await refresh();
  const timer = setInterval(() => {
    refresh().catch((err: unknown) => opts.log?.error({ err }, 'token key refresh failed'));
  }, refreshMs);
  timer.unref();

  const jwks = () => ({ keys: keys.map((k) => k.signing.publicJwk) });
  return {
    issuer,
    mint: (audience, claims) =>
      mintCapability(
        current()!.signing,
        { issuer, audience, ttlSeconds: TOKEN_TTL_SECONDS },
        claims,
      ),
    verifier: (audience) => createCapabilityVerifier({ issuer, audience, jwks }),
    jwks,
    refresh,
    currentKid: () => current()!.kid,
    close: () => clearInterval(timer),
  };
}

async function newKey(activatesAt: Date): Promise<StoredSigningKey> {
  const stamp = activatesAt.toISOString().replace(/[-:]/g, '').slice(0, 13);
  const kid = `k${stamp}-${randomBytes(4).toString('hex')}`;
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', {
    crv: 'Ed25519',
    extractable: true,
  });
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' },
    activatesAt,
  };
}

function databaseStore(database: Database): KeyStore {
  return {
    list: () => listSigningKeys(database.db),
    change: (fn) => changeSigningKeys(database.db, fn),
  };
}

function memoryStore(): KeyStore {
  let keys: StoredSigningKey[] = [];
  return {
    list: async () => [...keys],
    change: async (fn) => {
      const { add, remove } = await fn([...keys]);
      keys = [...keys.filter((k) => !remove.includes(k.kid)), ...add].sort(
        (a, b) => a.activatesAt.getTime() - b.activatesAt.getTime(),
      );
    },
  };
}
