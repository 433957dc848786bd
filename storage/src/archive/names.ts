import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import { displayName } from '../identity/directory';

/** Resolves pseudonymous person ids to names at read time (traces never store names). */
export type NameResolver = (ids: readonly string[]) => Promise<Map<string, string>>;

/** Names from the directory; an id the directory no longer knows stays unresolved. */
export function directoryNames(db: Kysely<Schema>): NameResolver {
  return async (ids) => {
    const unique = [...new Set(ids)].filter((id) => id.length > 0);
    if (unique.length === 0) return new Map();
    const rows = await db
      .selectFrom('person')
      .select(['id', 'given_name', 'family_name'])
      .where('id', 'in', unique)
      .execute();
    return new Map(rows.map((r) => [r.id, displayName(r)]));
  };
}
