import {
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { PreauError } from '../errors';
import { type Audience, CapabilityClaims } from '../tokens';

const ALG = 'EdDSA';

/** A signing key with its id; the private half never leaves the process that minted it. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Generates a fresh Ed25519 signing key. */
export async function generateSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, {
    crv: 'Ed25519',
    extractable: true,
  });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/** Mints short-lived capability tokens with the current key. */
export async function mintCapability(
  key: SigningKey,
  opts: { issuer: string; audience: Audience; ttlSeconds: number },
  claims: CapabilityClaims,
): Promise<string> {
  const { sub, ...rest } = CapabilityClaims.parse(claims);
  return new SignJWT(rest)
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setIssuedAt()
    .setExpirationTime(`${opts.ttlSeconds}s`)
    .sign(key.privateKey);
}

/** Claims of a verified token, with its expiry (seconds since the epoch). */
export type VerifiedClaims = CapabilityClaims & { exp: number };

/** Verifies capability tokens for one audience; used by every realtime server. */
export type CapabilityVerifier = (token: string) => Promise<VerifiedClaims>;

/**
 * Creates a verifier that checks signature (by `kid`, against a JWKS given
 * inline or fetched from web), issuer, audience and expiry, then the claims'
 * shape. Every failure is an `unauthenticated` PreauError.
 */
export function createCapabilityVerifier(opts: {
  issuer: string;
  audience: Audience;
  jwks: JSONWebKeySet | URL | (() => JSONWebKeySet);
  clockToleranceSeconds?: number;
}): CapabilityVerifier {
  const keySet =
    opts.jwks instanceof URL
      ? createRemoteJWKSet(opts.jwks, { cooldownDuration: 5_000 })
      : typeof opts.jwks === 'function'
        ? dynamicLocalSet(opts.jwks)
        : createLocalJWKSet(opts.jwks);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: [ALG],
        clockTolerance: opts.clockToleranceSeconds ?? 5,
        requiredClaims: ['exp', 'sub'],
      });
      return { ...CapabilityClaims.parse(payload), exp: payload.exp! };
    } catch {
      // The reason (expired, bad signature, unknown kid…) is not for the client.
      throw new PreauError('unauthenticated', 'invalid capability token');
    }
  };
}

/** A local key set re-read on every call, so rotated keys are seen in-process at once. */
function dynamicLocalSet(read: () => JSONWebKeySet) {
  return (...args: Parameters<ReturnType<typeof createLocalJWKSet>>) =>
    createLocalJWKSet(read())(...args);
}
