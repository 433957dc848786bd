import { randomUUID } from 'node:crypto';
import {
  classSpaceId,
  parseSpaceId,
  type SpaceKind,
  type SpaceRole,
  type SpaceState,
  type SpaceSummary,
} from '@preau/protocol';
import { sql } from 'kysely';
import type { Executor } from '../identity/directory';

/** A fresh id for a space of `kind` (`group_…`, `project_…`, `teaching_…`). */
export function newSpaceId(kind: Exclude<SpaceKind, 'class'>): string {
  return `${kind}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

/**
 * What access is decided from, for one person and one space: the space's
 * kind, school, project and state, and the person's role in it (null when
 * they are not a member). Policy lives in the application layer; this is
 * only the facts.
 */
export interface SpaceFacts {
  id: string;
  kind: SpaceKind;
  name: string;
  uai: string | null;
  schoolName: string | null;
  projectId: string | null;
  state: SpaceState;
  createdBy: string | null;
  createdAt: Date;
  role: SpaceRole | null;
  /** For a guest: until when their access lasts. */
  guestUntil: Date | null;
  /** For a work group made in a project: the person's role in that project. */
  projectRole: SpaceRole | null;
}

type SpaceRow = {
  id: string;
  kind: 'teaching' | 'group' | 'project';
  name: string;
  uai: string | null;
  project_id: string | null;
  created_by: string | null;
  created_at: Date;
  archived_at: Date | null;
  suspended_at: Date | null;
  schoolName: string | null;
};

function stateOf(row: { archived_at: Date | null; suspended_at: Date | null }): SpaceState {
  if (row.suspended_at) return 'suspended';
  return row.archived_at ? 'archived' : 'active';
}

async function spaceRows(db: Executor, ids: readonly string[]): Promise<SpaceRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('space')
    .leftJoin('school', 'school.uai', 'space.uai')
    .select([
      'space.id',
      'space.kind',
      'space.name',
      'space.uai',
      'space.project_id',
      'space.created_by',
      'space.created_at',
      'space.archived_at',
      'space.suspended_at',
      'school.name as schoolName',
    ])
    .where('space.id', 'in', ids)
    .execute();
}

/** Roles of a person in spaces (not classes): own membership first, then a class brought in. */
async function rolesIn(
  db: Executor,
  personId: string,
  ids: readonly string[],
): Promise<Map<string, { role: SpaceRole; guestUntil: Date | null }>> {
  const roles = new Map<string, { role: SpaceRole; guestUntil: Date | null }>();
  if (ids.length === 0) return roles;
  const viaClass = await db
    .selectFrom('space_class')
    .innerJoin('class_member', 'class_member.class_id', 'space_class.class_id')
    .select('space_class.space_id')
    .where('class_member.person_id', '=', personId)
    .where('class_member.role', '=', 'student')
    .where('space_class.space_id', 'in', ids)
    .execute();
  for (const r of viaClass) roles.set(r.space_id, { role: 'student', guestUntil: null });
  const own = await db
    .selectFrom('space_member')
    .leftJoin('space_guest', (join) =>
      join
        .onRef('space_guest.person_id', '=', 'space_member.person_id')
        .onRef('space_guest.space_id', '=', 'space_member.space_id'),
    )
    .select(['space_member.space_id', 'space_member.role', 'space_guest.expires_at'])
    .where('space_member.person_id', '=', personId)
    .where('space_member.space_id', 'in', ids)
    .execute();
  for (const r of own) roles.set(r.space_id, { role: r.role, guestUntil: r.expires_at ?? null });
  return roles;
}

/**
 * The facts about each of `spaceIds` for one person, batched: two or three
 * queries whatever the number of spaces. Unknown ids are absent from the map.
 */
export async function spaceFacts(
  db: Executor,
  personId: string,
  spaceIds: readonly string[],
): Promise<Map<string, SpaceFacts>> {
  const facts = new Map<string, SpaceFacts>();
  const classIds: string[] = [];
  const otherIds: string[] = [];
  for (const id of new Set(spaceIds)) {
    const parsed = parseSpaceId(id);
    if (!parsed) continue;
    if (parsed.kind === 'class') classIds.push(parsed.ownerId);
    else otherIds.push(id);
  }
  if (classIds.length > 0) {
    const rows = await db
      .selectFrom('class')
      .innerJoin('school', 'school.uai', 'class.uai')
      .leftJoin('class_member', (join) =>
        join
          .onRef('class_member.class_id', '=', 'class.id')
          .on('class_member.person_id', '=', personId),
      )
      .select([
        'class.id',
        'class.uai',
        'class.name',
        'school.name as schoolName',
        'class_member.role',
      ])
      .where('class.id', 'in', classIds)
      .execute();
    for (const r of rows)
      facts.set(classSpaceId(r.id), {
        id: classSpaceId(r.id),
        kind: 'class',
        name: r.name,
        uai: r.uai,
        schoolName: r.schoolName,
        projectId: null,
        state: 'active',
        createdBy: null,
        createdAt: new Date(0),
        role: r.role ?? null,
        guestUntil: null,
        projectRole: null,
      });
  }
  const rows = await spaceRows(db, otherIds);
  const projectIds = rows.flatMap((r) => (r.project_id ? [r.project_id] : []));
  const roles = await rolesIn(db, personId, [...rows.map((r) => r.id), ...projectIds]);
  for (const r of rows) {
    const own = roles.get(r.id);
    facts.set(r.id, {
      id: r.id,
      kind: r.kind,
      name: r.name,
      uai: r.uai,
      schoolName: r.schoolName,
      projectId: r.project_id,
      state: stateOf(r),
      createdBy: r.created_by,
      createdAt: new Date(r.created_at),
      role: own?.role ?? null,
      guestUntil: own?.guestUntil ?? null,
      projectRole: r.project_id ? (roles.get(r.project_id)?.role ?? null) : null,
    });
  }
  return facts;
}

/** Every space a person belongs to: their classes, then other spaces, each by name. */
export async function spaceIdsOfPerson(db: Executor, personId: string): Promise<string[]> {
  const classes = await db
    .selectFrom('class_member')
    .select('class_id')
    .where('person_id', '=', personId)
    .execute();
  const own = await db
    .selectFrom('space_member')
    .select('space_id')
    .where('person_id', '=', personId)
    .execute();
  const viaClass = await db
    .selectFrom('space_class')
    .innerJoin('class_member', 'class_member.class_id', 'space_class.class_id')
    .select('space_class.space_id')
    .where('class_member.person_id', '=', personId)
    .where('class_member.role', '=', 'student')
    .execute();
  return [
    ...classes.map((c) => classSpaceId(c.class_id)),
    ...new Set([...own.map((r) => r.space_id), ...viaClass.map((r) => r.space_id)]),
  ];
}

/** Spaces of some kinds in some schools (staff oversight), newest first. */
export async function spaceIdsOfSchools(
  db: Executor,
  uais: readonly string[],
  kinds: ReadonlyArray<'teaching' | 'group'>,
): Promise<string[]> {
  if (uais.length === 0 || kinds.length === 0) return [];
  const rows = await db
    .selectFrom('space')
    .select('id')
    .where('uai', 'in', uais)
    .where('kind', 'in', kinds)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => r.id);
}

/** Work groups made inside a project. */
export async function groupIdsOfProject(db: Executor, projectId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('space')
    .select('id')
    .where('project_id', '=', projectId)
    .orderBy('name')
    .execute();
  return rows.map((r) => r.id);
}

/** A summary from facts (no person-specific part). */
export function summaryOf(f: SpaceFacts): SpaceSummary {
  return {
    id: f.id,
    kind: f.kind,
    name: f.name,
    uai: f.uai,
    schoolName: f.schoolName,
    projectId: f.projectId,
    state: f.state,
    createdBy: f.createdBy,
    createdAt: f.createdAt.toISOString(),
  };
}

/** Inserts a space (not a class) row. */
export async function insertSpace(
  db: Executor,
  input: {
    id: string;
    kind: 'teaching' | 'group' | 'project';
    name: string;
    uai: string | null;
    projectId: string | null;
    createdBy: string;
  },
): Promise<void> {
  await db
    .insertInto('space')
    .values({
      id: input.id,
      kind: input.kind,
      name: input.name,
      uai: input.uai,
      project_id: input.projectId,
      created_by: input.createdBy,
    })
    .execute();
}

/** Renames a space (not a class). */
export async function renameSpace(db: Executor, spaceId: string, name: string): Promise<void> {
  await db.updateTable('space').set({ name }).where('id', '=', spaceId).execute();
}

/** Sets a space's state: active, archived (by its owner) or suspended (by staff). */
export async function setSpaceState(
  db: Executor,
  spaceId: string,
  state: SpaceState,
  by: string,
  reason: string | null,
): Promise<void> {
  const now = new Date();
  const values =
    state === 'archived'
      ? { archived_at: now, suspended_at: null, suspended_by: null, suspension_reason: null }
      : state === 'suspended'
        ? { suspended_at: now, suspended_by: by, suspension_reason: reason }
        : { archived_at: null, suspended_at: null, suspended_by: null, suspension_reason: null };
  await db.updateTable('space').set(values).where('id', '=', spaceId).execute();
}

/** A person's role row in a space (not via a class). */
export async function memberRole(
  db: Executor,
  spaceId: string,
  personId: string,
): Promise<SpaceRole | null> {
  const row = await db
    .selectFrom('space_member')
    .select('role')
    .where('space_id', '=', spaceId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return row?.role ?? null;
}

/** Adds or changes a member (not of a class: the directory owns those). */
export async function putMember(
  db: Executor,
  input: { spaceId: string; personId: string; role: SpaceRole; by: string },
): Promise<void> {
  await db
    .insertInto('space_member')
    .values({
      space_id: input.spaceId,
      person_id: input.personId,
      role: input.role,
      added_by: input.by,
    })
    .onConflict((oc) => oc.columns(['space_id', 'person_id']).doUpdateSet({ role: input.role }))
    .execute();
}

/** Removes a member's own row (a student brought with a class stays through it). */
export async function deleteMember(db: Executor, spaceId: string, personId: string): Promise<void> {
  await db
    .deleteFrom('space_member')
    .where('space_id', '=', spaceId)
    .where('person_id', '=', personId)
    .execute();
}

/** Members of a space who hold their own row, plus students of classes brought in. */
export async function memberRows(
  db: Executor,
  spaceId: string,
): Promise<Array<{ personId: string; role: SpaceRole; givenName: string; familyName: string }>> {
  const parsed = parseSpaceId(spaceId);
  if (parsed?.kind === 'class') {
    const rows = await db
      .selectFrom('class_member')
      .innerJoin('person', 'person.id', 'class_member.person_id')
      .select(['person.id', 'person.given_name', 'person.family_name', 'class_member.role'])
      .where('class_member.class_id', '=', parsed.ownerId)
      .execute();
    return rows.map((r) => ({
      personId: r.id,
      role: r.role,
      givenName: r.given_name,
      familyName: r.family_name,
    }));
  }
  const own = await db
    .selectFrom('space_member')
    .innerJoin('person', 'person.id', 'space_member.person_id')
    .select(['person.id', 'person.given_name', 'person.family_name', 'space_member.role'])
    .where('space_member.space_id', '=', spaceId)
    .execute();
  const viaClass = await db
    .selectFrom('space_class')
    .innerJoin('class_member', 'class_member.class_id', 'space_class.class_id')
    .innerJoin('person', 'person.id', 'class_member.person_id')
    .select(['person.id', 'person.given_name', 'person.family_name'])
    .where('space_class.space_id', '=', spaceId)
    .where('class_member.role', '=', 'student')
    .execute();
  const seen = new Set(own.map((r) => r.id));
  return [
    ...own.map((r) => ({
      personId: r.id,
      role: r.role,
      givenName: r.given_name,
      familyName: r.family_name,
    })),
    ...viaClass
      .filter((r) => {
        if (seen.has(r.id)) return false;
        seen.add(r.id);
        return true;
      })
      .map((r) => ({
        personId: r.id,
        role: 'student' as const,
        givenName: r.given_name,
        familyName: r.family_name,
      })),
  ];
}

/** The school each person is seen from (first school of a student or teacher profile). */
export async function schoolsOfPersons(
  db: Executor,
  personIds: readonly string[],
): Promise<Map<string, { uai: string; name: string }>> {
  const map = new Map<string, { uai: string; name: string }>();
  if (personIds.length === 0) return map;
  const rows = await db
    .selectFrom('profile')
    .innerJoin('school', 'school.uai', 'profile.uai')
    .select(['profile.person_id', 'school.uai', 'school.name'])
    .where('profile.person_id', 'in', personIds)
    .where('profile.kind', 'in', ['student', 'teacher', 'guest'])
    .orderBy('school.name')
    .execute();
  for (const r of rows)
    if (!map.has(r.person_id)) map.set(r.person_id, { uai: r.uai, name: r.name });
  return map;
}

/** Brings a whole class into a project or teaching group. */
export async function addSpaceClass(
  db: Executor,
  input: { spaceId: string; classId: string; by: string },
): Promise<boolean> {
  const res = await db
    .insertInto('space_class')
    .values({ space_id: input.spaceId, class_id: input.classId, added_by: input.by })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Classes brought into a space, with their school. */
export async function spaceClasses(
  db: Executor,
  spaceId: string,
): Promise<Array<{ classId: string; name: string; schoolName: string; addedBy: string }>> {
  const rows = await db
    .selectFrom('space_class')
    .innerJoin('class', 'class.id', 'space_class.class_id')
    .innerJoin('school', 'school.uai', 'class.uai')
    .select(['class.id', 'class.name', 'school.name as schoolName', 'space_class.added_by'])
    .where('space_class.space_id', '=', spaceId)
    .orderBy('school.name')
    .orderBy('class.name')
    .execute();
  return rows.map((r) => ({
    classId: r.id,
    name: r.name,
    schoolName: r.schoolName,
    addedBy: r.added_by,
  }));
}

/** Active work groups a person belongs to (own rows), for the per-student bound. */
export async function activeGroupCount(db: Executor, personId: string): Promise<number> {
  const row = await db
    .selectFrom('space_member')
    .innerJoin('space', 'space.id', 'space_member.space_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('space_member.person_id', '=', personId)
    .where('space.kind', '=', 'group')
    .where('space.archived_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
