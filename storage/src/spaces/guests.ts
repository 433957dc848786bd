import type { Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import type { Executor } from '../identity/directory';

/**
 * Writes a project's guest: a person of their own (no ENT account), a guest
 * profile in the inviting teacher's school, their membership of the project
 * and the hash of their personal link with its end date.
 */
export async function insertGuest(
  tx: Transaction<Schema>,
  g: {
    personId: string;
    login: string;
    givenName: string;
    familyName: string;
    uai: string;
    spaceId: string;
    linkHash: string;
    createdBy: string;
    expiresAt: Date;
  },
): Promise<void> {
  await tx
    .insertInto('person')
    .values({ id: g.personId, login: g.login, given_name: g.givenName, family_name: g.familyName })
    .execute();
  await tx
    .insertInto('profile')
    .values({ person_id: g.personId, uai: g.uai, kind: 'guest' })
    .execute();
  await tx
    .insertInto('space_member')
    .values({ space_id: g.spaceId, person_id: g.personId, role: 'guest', added_by: g.createdBy })
    .execute();
  await tx
    .insertInto('space_guest')
    .values({
      person_id: g.personId,
      space_id: g.spaceId,
      link_hash: g.linkHash,
      created_by: g.createdBy,
      expires_at: g.expiresAt,
    })
    .execute();
}

/** The guest a link's hash names, still a member of their project, or null. */
export async function guestByLinkHash(
  db: Executor,
  linkHash: string,
): Promise<{ personId: string; spaceId: string; expiresAt: Date } | null> {
  const row = await db
    .selectFrom('space_guest')
    .innerJoin('space_member', (join) =>
      join
        .onRef('space_member.person_id', '=', 'space_guest.person_id')
        .onRef('space_member.space_id', '=', 'space_guest.space_id'),
    )
    .select(['space_guest.person_id', 'space_guest.space_id', 'space_guest.expires_at'])
    .where('space_guest.link_hash', '=', linkHash)
    .executeTakeFirst();
  return row
    ? { personId: row.person_id, spaceId: row.space_id, expiresAt: new Date(row.expires_at) }
    : null;
}
