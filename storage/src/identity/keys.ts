import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema';

/** A capability signing key as stored: both halves as JWK, and when it starts signing. */
export interface StoredSigningKey {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  activatesAt: Date;
}

/** Every stored signing key, oldest activation first. */
export async function listSigningKeys(db: Kysely<Schema>): Promise<StoredSigningKey[]> {
  const rows = await db.selectFrom('signing_key').selectAll().orderBy('activates_at').execute();
  return rows.map((r) => ({
    kid: r.kid,
    privateJwk: r.private_jwk as Record<string, unknown>,
    publicJwk: r.public_jwk as Record<string, unknown>,
    activatesAt: r.activates_at,
  }));
}

/**
 * Runs `change` with the keys as they are now, under a lock that keeps two
 * nodes from rotating at once; `change` returns the keys to add and the kids
 * to remove.
 */
export async function changeSigningKeys(
  db: Kysely<Schema>,
  change: (keys: StoredSigningKey[]) => Promise<{ add: StoredSigningKey[]; remove: string[] }>,
): Promise<void> {
  const keys = await listSigningKeys(db);
  const { add, remove } = await change(keys);
  if (add.length === 0 && remove.length === 0) return;
  await db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(7365271)`.execute(tx);
    // Another node may have rotated meanwhile: only add when nothing newer appeared.
    const now = await tx.selectFrom('signing_key').select(['kid', 'activates_at']).execute();
    const newest = keys.at(-1)?.activatesAt.getTime() ?? 0;
    const raced = now.some((k) => k.activates_at.getTime() > newest);
    if (!raced)
      for (const k of add)
        await tx
          .insertInto('signing_key')
          .values({
            kid: k.kid,
            private_jwk: JSON.stringify(k.privateJwk),
            public_jwk: JSON.stringify(k.publicJwk),
            activates_at: k.activatesAt,
          })
          .execute();
    if (remove.length) await tx.deleteFrom('signing_key').where('kid', 'in', remove).execute();
  });
}
