import {
  classSpaceId,
  type MyClass,
  parseSpaceId,
  type Right,
  type SpaceMember,
} from '@preau/protocol';
import { displayName, type Executor } from './directory';

/** Rights of a class's teachers in its space. */
export const TEACHER_RIGHTS: readonly Right[] = ['read', 'write', 'moderate', 'present'];
/** Rights of a class's students in its space. */
export const STUDENT_RIGHTS: readonly Right[] = ['read', 'write', 'present'];

/**
 * What a person may do in a space, from the directory: a class's teachers
 * read, write, moderate and present; its students read, write and present.
 * Platform roles (archivist, dpo, admin) make no one a member: they get
 * nothing here. Anyone else gets an empty list.
 */
export async function rightsInSpace(
  db: Executor,
  personId: string,
  spaceId: string,
): Promise<Right[]> {
  const space = parseSpaceId(spaceId);
  if (space?.kind !== 'class') return [];
  const row = await db
    .selectFrom('class_member')
    .select('role')
    .where('class_id', '=', space.ownerId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) return [];
  return [...(row.role === 'teacher' ? TEACHER_RIGHTS : STUDENT_RIGHTS)];
}

/** The classes a person belongs to, with their role and space, by school then name. */
export async function classesOfPerson(db: Executor, personId: string): Promise<MyClass[]> {
  const rows = await db
    .selectFrom('class_member')
    .innerJoin('class', 'class.id', 'class_member.class_id')
    .innerJoin('school', 'school.uai', 'class.uai')
    .select([
      'class.id',
      'class.uai',
      'class.name',
      'school.name as schoolName',
      'class_member.role',
    ])
    .where('class_member.person_id', '=', personId)
    .orderBy('school.name')
    .orderBy('class.name')
    .execute();
  return rows.map((r) => ({ ...r, space: classSpaceId(r.id) }));
}

/**
 * The members of a space with their display names (resolved now, never
 * stored with traces): teachers first, then students, by family name.
 */
export async function membersOfSpace(db: Executor, spaceId: string): Promise<SpaceMember[]> {
  const space = parseSpaceId(spaceId);
  if (space?.kind !== 'class') return [];
  const rows = await db
    .selectFrom('class_member')
    .innerJoin('person', 'person.id', 'class_member.person_id')
    .select(['person.id', 'person.given_name', 'person.family_name', 'class_member.role'])
    .where('class_member.class_id', '=', space.ownerId)
    .orderBy('class_member.role', 'desc')
    .orderBy('person.family_name')
    .orderBy('person.given_name')
    .execute();
  return rows.map((r) => ({ personId: r.id, displayName: displayName(r), role: r.role }));
}
