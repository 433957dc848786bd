import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';

/**
 * Reads a shared secret by name, creating it once with `create` when absent.
 * Two nodes racing here both end up with the value that was stored first.
 */
export async function sharedSecret<T>(
  db: Kysely<Schema>,
  name: string,
  create: () => Promise<T> | T,
): Promise<T> {
  const read = async () =>
    (
      await db
        .selectFrom('identity_secret')
        .select('value')
        .where('name', '=', name)
        .executeTakeFirst()
    )?.value as T | undefined;
  const existing = await read();
  if (existing !== undefined) return existing;
  await db
    .insertInto('identity_secret')
    .values({ name, value: JSON.stringify(await create()) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  return (await read())!;
}
