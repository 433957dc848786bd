import type { Audience, CapabilityClaims } from '@preau/protocol';
import {
  type CapabilityVerifier,
  createCapabilityVerifier,
  generateSigningKey,
  mintCapability,
  type SigningKey,
} from '@preau/protocol/server';
import type { JSONWebKeySet } from 'jose';

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

/** Token lifetime: long enough to connect, short enough that a revocation bites soon. */
export const TOKEN_TTL_SECONDS = 300;

/**
 * Creates the token service with a fresh in-memory Ed25519 key.
 * (The identity work keeps keys in the database and rotates them by `kid`.)
 */
export async function createTokenService(issuer: string): Promise<TokenService> {
  const keys: SigningKey[] = [await generateSigningKey(`k${Date.now().toString(36)}`)];
  const jwks = () => ({ keys: keys.map((k) => k.publicJwk) });
  return {
    issuer,
    mint: (audience, claims) =>
      mintCapability(keys[0]!, { issuer, audience, ttlSeconds: TOKEN_TTL_SECONDS }, claims),
    verifier: (audience) => createCapabilityVerifier({ issuer, audience, jwks }),
    jwks,
  };
}
