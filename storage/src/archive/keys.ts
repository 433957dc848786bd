import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import type { ArchivePublicKey, Signature } from '@preau/protocol';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import { canonicalJson, sha256Hex } from './canonical';

/** Signs archive documents (segment manifests, bundles) with one Ed25519 key. */
export interface ArchiveSigner {
  kid: string;
  publicJwk: ArchivePublicKey;
  /** Signs the canonical encoding of a value. */
  signCanonical(value: unknown): Signature;
  /** Signs bytes as they are. */
  signBytes(bytes: Uint8Array): Signature;
  /**
   * The salt of a record's content: derived from a secret so that sealing is
   * deterministic (a segment rewritten after a crash is byte for byte the
   * same) while nobody without the secret can guess a deleted content from
   * its hash.
   */
  saltFor(space: string, seq: number): Uint8Array;
}

/** Builds a signer from a private key. */
export function signerOf(kid: string, privateKey: KeyObject): ArchiveSigner {
  const saltKey = createHmac('sha256', 'preau-archive-salt')
    .update(privateKey.export({ format: 'der', type: 'pkcs8' }))
    .digest();
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { x: string };
  const publicJwk: ArchivePublicKey = {
    kty: 'OKP',
    crv: 'Ed25519',
    x: jwk.x,
    kid,
    alg: 'EdDSA',
    use: 'sig',
  };
  const signBytes = (bytes: Uint8Array): Signature => ({
    alg: 'Ed25519',
    kid,
    value: sign(null, bytes, privateKey).toString('base64url'),
  });
  return {
    kid,
    publicJwk,
    signBytes,
    // Keyed SHA-256 (the secret first, the output cut to 16 bytes): one call per record.
    saltFor: (space, seq) =>
      new Uint8Array(
        hash(
          'sha256',
          Buffer.concat([saltKey, Buffer.from(`:${space}:${seq}`)]),
          'buffer',
        ).subarray(0, 16),
      ),
    signCanonical: (value) => signBytes(new TextEncoder().encode(canonicalJson(value))),
  };
}

/** A fresh signer (for tests and benchmarks; the server keeps its key in the database). */
export function generateArchiveSigner(kid?: string): ArchiveSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return signerOf(kid ?? kidOf(publicKey), privateKey);
}

/** Checks a signature over bytes against the published keys; false on any doubt. */
export function verifySignature(
  keys: readonly ArchivePublicKey[],
  bytes: Uint8Array,
  signature: Signature,
): boolean {
  const jwk = keys.find((k) => k.kid === signature.kid);
  if (!jwk || signature.alg !== 'Ed25519') return false;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
    return verify(null, bytes, key, Buffer.from(signature.value, 'base64url'));
  } catch {
    // A malformed key or signature is a failed verification, reported by the caller.
    return false;
  }
}

/** Checks a signature over a value's canonical encoding. */
export function verifyCanonical(
  keys: readonly ArchivePublicKey[],
  value: unknown,
  signature: Signature,
): boolean {
  return verifySignature(keys, new TextEncoder().encode(canonicalJson(value)), signature);
}

/**
 * A key's fingerprint for people: the first 128 bits of the SHA-256 of its
 * raw public key, in eight groups of four hex digits, short enough for an
 * archivist to read out over the phone and compare with what Préau shows.
 */
export function keyFingerprint(key: Pick<ArchivePublicKey, 'x'>): string {
  const hex = sha256Hex(Buffer.from(key.x, 'base64url')).slice(0, 32).toUpperCase();
  return hex.match(/.{4}/g)!.join(' ');
}

/** A key's id: `arch-` and the first 16 hex digits of the SHA-256 of its raw public key. */
function kidOf(publicKey: KeyObject): string {
  const raw = Buffer.from((publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
  return `arch-${sha256Hex(raw).slice(0, 16)}`;
}

/**
 * The archive's signer: the newest unretired key in the database, created on
 * first use. Two nodes starting together may both insert; the newest wins
 * and the other stays published, so whatever either signed still verifies.
 */
export async function loadArchiveSigner(db: Kysely<Schema>): Promise<ArchiveSigner> {
  const current = async () =>
    db
      .selectFrom('archive_key')
      .select(['kid', 'private_pkcs8'])
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .executeTakeFirst();
  let row = await current();
  if (!row) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const kid = kidOf(publicKey);
    const signer = signerOf(kid, privateKey);
    await db
      .insertInto('archive_key')
      .values({
        kid,
        private_pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }),
        public_jwk: JSON.stringify(signer.publicJwk),
      })
      .onConflict((oc) => oc.column('kid').doNothing())
      .execute();
    row = await current();
  }
  if (!row) throw new Error('archive signing key missing after creation');
  const key = createPrivateKey({
    key: Buffer.from(row.private_pkcs8),
    format: 'der',
    type: 'pkcs8',
  });
  return signerOf(row.kid, key);
}

/** Every archive public key ever used (retired ones too), for verifiers. */
export async function archivePublicKeys(db: Kysely<Schema>): Promise<ArchivePublicKey[]> {
  const rows = await db
    .selectFrom('archive_key')
    .select('public_jwk')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.public_jwk as ArchivePublicKey);
}
