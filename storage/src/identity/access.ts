import { classSpaceId, type MyClass, parseSpaceId, type SpaceMember } from '@preau/protocol';
import { displayName, type Executor } from './directory';

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
