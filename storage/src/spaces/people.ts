import { type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Schema } from '../db/schema';
import type { Executor } from '../identity/directory';
import { foldedPersonName, likeOf } from '../identity/nameSearch';

/** A person who might be invited: name parts, school, and whether student or teacher. */
export interface Candidate {
  personId: string;
  givenName: string;
  familyName: string;
  uai: string;
  schoolName: string;
  kind: 'student' | 'teacher';
}

/**
 * Narrows an invitation search in the database, so that it never reads a
 * whole school (or, for a project, every teacher of every school).
 */
export interface CandidateFilter {
  /** Folded words (`searchWords`) the name must each contain; found through the trigram index. */
  words?: readonly string[];
  /** Only these people (checking whom an invitation names). */
  only?: readonly string[];
  /** Not these people (members already). */
  except?: readonly string[];
  /** These come first (classmates), then by name. */
  prefer?: readonly string[];
  limit?: number;
}

function matching(
  eb: ExpressionBuilder<Schema, 'person'>,
  filter: CandidateFilter,
): ReturnType<typeof eb.and> {
  const parts = (filter.words ?? []).map((w) => eb(foldedPersonName(), 'like', likeOf(w)));
  if (filter.only) parts.push(eb('person.id', 'in', filter.only.length ? filter.only : ['']));
  if (filter.except?.length) parts.push(eb('person.id', 'not in', filter.except));
  return eb.and(parts);
}

function preferred(filter: CandidateFilter) {
  const ids = filter.prefer?.length ? filter.prefer : [''];
  return sql<SqlBool>`person.id in (${sql.join(ids)})`;
}

/** Students and teachers of some schools (or teachers only), for the invitation search. */
export async function candidatesInSchools(
  db: Executor,
  uais: readonly string[] | 'all',
  kinds: ReadonlyArray<'student' | 'teacher'>,
  filter: CandidateFilter = {},
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
    .where('profile.kind', 'in', kinds)
    .where((eb) => matching(eb, filter));
  if (uais !== 'all') query = query.where('profile.uai', 'in', uais);
  query = query
    .orderBy(preferred(filter), 'desc')
    .orderBy('person.family_name')
    .orderBy('person.given_name')
    .orderBy('person.id');
  if (filter.limit) query = query.limit(filter.limit);
  return (await query.execute()).map((r) => candidateOf(r, r.kind as Candidate['kind']));
}

/** A candidate from a row of the person, their school and what they are there. */
function candidateOf(
  r: { id: string; given_name: string; family_name: string; uai: string; schoolName: string },
  kind: Candidate['kind'],
): Candidate {
  return {
    personId: r.id,
    givenName: r.given_name,
    familyName: r.family_name,
    uai: r.uai,
    schoolName: r.schoolName,
    kind,
  };
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
export async function studentsTaughtBy(
  db: Executor,
  personId: string,
  filter: CandidateFilter = {},
): Promise<Candidate[]> {
  let query = db
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
    .where((eb) => matching(eb, filter))
    .distinct()
    .orderBy('person.family_name')
    .orderBy('person.given_name')
    .orderBy('person.id');
  if (filter.limit) query = query.limit(filter.limit);
  return (await query.execute()).map((r) => candidateOf(r, 'student'));
}
