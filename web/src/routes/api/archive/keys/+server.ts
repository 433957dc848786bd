import { ArchivePublicKey } from '@preau/protocol';
import { z } from 'zod';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les clés publiques de l’archive (JWK Ed25519, anciennes comprises), chacune avec son empreinte, pour vérifier un paquet',
      en: 'The archive’s public keys (Ed25519 JWKs, retired ones too), each with its fingerprint, to check a bundle',
    },
    tag: 'archive',
    access: 'public',
    raw: 'application/json',
    response: z.object({ keys: z.array(ArchivePublicKey.extend({ fingerprint: z.string() })) }),
  },
});
