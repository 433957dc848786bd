import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import { displayName } from '../identity/directory';

/** Resolves pseudonymous person ids to names at read time (traces never store names). */
export type NameResolver = (ids: readonly string[]) => Promise<Map<string, string>>;

/** Names from the directory; an id the directory no longer knows stays unresolved. */
export function directoryNames(db: Kysely<Schema>): NameResolver {
  return async (ids) => new Map((await personNameRows(db, ids)).map((r) => [r.id, displayName(r)]));
}

/** The directory's name fields of these people (each once; unknown ids are left out). */
export async function personNameRows(
  db: Kysely<Schema>,
  ids: readonly string[],
): Promise<{ id: string; given_name: string; family_name: string }[]> {
  const unique = [...new Set(ids)].filter((id) => id.length > 0);
  if (unique.length === 0) return [];
  return db
    .selectFrom('person')
    .select(['id', 'given_name', 'family_name'])
    .where('id', 'in', unique)
    .execute();
}
