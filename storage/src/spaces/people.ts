import type { Executor } from '../identity/directory';

/** A person who might be invited: name parts, school, and whether student or teacher. */
export interface Candidate {
  personId: string;
  givenName: string;
  familyName: string;
  uai: string;
  schoolName: string;
  kind: 'student' | 'teacher';
}

/** Students and teachers of some schools (or teachers only), for the invitation search. */
export async function candidatesInSchools(
  db: Executor,
  uais: readonly string[] | 'all',
  kinds: ReadonlyArray<'student' | 'teacher'>,
): Promise<Candidate[]> {
  if (uais !== 'all' && uais.length === 0) return [];
  let query = db
    .selectFrom('profile')
    .innerJoin('person', 'person.id', 'profile.person_id')
    .innerJoin('school', 'school.uai', 'profile.uai')
    .select([
      'person.id',
      'person.given_name',
      'person.family_name',
      'school.uai',
      'school.name as schoolName',
      'profile.kind',
    ])
    .where('profile.kind', 'in', kinds);
  if (uais !== 'all') query = query.where('profile.uai', 'in', uais);
  const rows = await query.orderBy('person.family_name').orderBy('person.given_name').execute();
  return rows.map((r) => ({
    personId: r.id,
    givenName: r.given_name,
    familyName: r.family_name,
    uai: r.uai,
    schoolName: r.schoolName,
    kind: r.kind as 'student' | 'teacher',
  }));
}

/** The people who share a class with a person. */
export async function classmatesOf(db: Executor, personId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('class_member as mine')
    .innerJoin('class_member as other', 'other.class_id', 'mine.class_id')
    .select('other.person_id')
    .where('mine.person_id', '=', personId)
    .execute();
  return new Set(rows.map((r) => r.person_id));
}

/** The school of a class that a person teaches, or null when they do not teach it. */
export async function classTaughtBy(
  db: Executor,
  personId: string,
  classId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('class_member')
    .innerJoin('class', 'class.id', 'class_member.class_id')
    .select('class.uai')
    .where('class_member.class_id', '=', classId)
    .where('class_member.person_id', '=', personId)
    .where('class_member.role', '=', 'teacher')
    .executeTakeFirst();
  return row?.uai ?? null;
}

/** The students of the classes a person teaches, with their school. */
export async function studentsTaughtBy(db: Executor, personId: string): Promise<Candidate[]> {
  const rows = await db
    .selectFrom('class_member as mine')
    .innerJoin('class_member as pupil', 'pupil.class_id', 'mine.class_id')
    .innerJoin('person', 'person.id', 'pupil.person_id')
    .innerJoin('class', 'class.id', 'mine.class_id')
    .innerJoin('school', 'school.uai', 'class.uai')
    .select([
      'person.id',
      'person.given_name',
      'person.family_name',
      'school.uai',
      'school.name as schoolName',
    ])
    .where('mine.person_id', '=', personId)
    .where('mine.role', '=', 'teacher')
    .where('pupil.role', '=', 'student')
    .distinct()
    .orderBy('person.family_name')
    .orderBy('person.given_name')
    .execute();
  return rows.map((r) => ({
    personId: r.id,
    givenName: r.given_name,
    familyName: r.family_name,
    uai: r.uai,
    schoolName: r.schoolName,
    kind: 'student' as const,
  }));
}
