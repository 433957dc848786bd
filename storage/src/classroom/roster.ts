import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import { displayName } from '../identity/directory';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** A member of a class as the live pages need them: who they are, and their login to tell homonyms apart. */
export interface ClassRosterMember {
  personId: string;
  name: string;
  familyName: string;
  login: string;
  role: 'student' | 'teacher';
}

/**
 * Every member of a class (teachers first, then students by family name):
 * the attendance lists them all, present or not, and homonyms are told apart
 * from their logins.
 */
export async function classRoster(db: Executor, classId: string): Promise<ClassRosterMember[]> {
  const rows = await db
    .selectFrom('class_member')
    .innerJoin('person', 'person.id', 'class_member.person_id')
    .select([
      'person.id',
      'person.login',
      'person.given_name',
      'person.family_name',
      'class_member.role',
    ])
    .where('class_member.class_id', '=', classId)
    .orderBy('class_member.role', 'desc')
    .orderBy('person.family_name')
    .orderBy('person.given_name')
    .orderBy('person.login')
    .execute();
  return rows.map((r) => ({
    personId: r.id,
    name: displayName(r),
    familyName: r.family_name,
    login: r.login,
    role: r.role,
  }));
}
