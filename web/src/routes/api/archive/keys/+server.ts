import type { RequestHandler } from './$types';

/**
 * `GET /api/archive/keys`: the archive's public keys (Ed25519 JWKs, retired
 * ones too), public so that anyone may check a bundle against them
 * (`./preau verify bundle.zip --key keys.json`). Each key carries its
 * fingerprint, which `verify` prints, so that an archivist can also compare
 * it by reading it out.
 */
export const GET: RequestHandler = async ({ locals }) =>
  Response.json(
    { keys: await locals.services.archive.publicKeys() },
    { headers: { 'cache-control': 'public, max-age=300' } },
  );
