import { createHash, randomBytes } from 'node:crypto';
import {
  type ClassRole,
  classSpaceId,
  type ImportChanges,
  type MembershipChange,
  type PlatformRole,
  type ProfileKind,
  type SchoolKind,
  type SpaceRole,
} from '@preau/protocol';
import type { Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import { deleteMember, insertSpace, putMember } from '../spaces/spaces';
import { recordTrace } from '../trace/recordTrace';
import { classIdOf, slugOf } from './directory';

/** The directory as a file describes it (CSV import and demo data share this shape). */
export interface DirectoryRecords {
  schools: Array<{ uai: string; name: string; kind: SchoolKind; town: string }>;
  classes: Array<{ uai: string; name: string }>;
  /** `id` is only given by the demo data (deterministic); imports draw a random one. */
  persons: Array<{ login: string; givenName: string; familyName: string; id?: string }>;
  profiles: Array<{ login: string; uai: string; kind: ProfileKind; classes: string[] }>;
  roles: Array<{ login: string; role: PlatformRole }>;
  /** Teaching groups across classes (e.g. a lycée speciality): teachers and students by login. */
  teaching?: Array<{ uai: string; name: string; teachers: string[]; students: string[] }>;
}

/**
 * The space id of a teaching group the directory declares: derived from its
 * school and name (as a class's is), so importing the same file again finds it.
 */
export function teachingSpaceIdOf(uai: string, name: string): string {
  const digest = createHash('sha256').update(`${uai}\u0000${slugOf(name).toLowerCase()}`);
  return `teaching_${digest.digest('hex').slice(0, 20)}`;
}

/** A fresh pseudonymous person id: nothing in it says who the person is. */
export function newPersonId(): string {
  return `p_${randomBytes(10).toString('base64url')}`;
}

/**
 * Applies validated records inside the caller's transaction and counts what
 * changed. A file is authoritative for what it names: for each (person,
 * school) pair with a profile line, the person's profiles and class
 * memberships in that school become exactly the file's; for each person or
 * role line's person, the platform roles become exactly the file's. Nothing
 * is deleted otherwise, so applying the same records twice changes nothing.
 * Every class membership added, changed or removed is traced in the class's space.
 */
export async function applyDirectory(
  tx: Transaction<Schema>,
  records: DirectoryRecords,
  actor: string,
  onMembership: (change: MembershipChange) => void = () => {},
): Promise<ImportChanges> {
  const changes: ImportChanges = {
    schools: 0,
    persons: 0,
    classes: 0,
    profiles: 0,
    memberships: 0,
    roles: 0,
    teaching: 0,
  };

  for (const s of records.schools) {
    const old = await tx
      .selectFrom('school')
      .selectAll()
      .where('uai', '=', s.uai)
      .executeTakeFirst();
    if (!old) await tx.insertInto('school').values(s).execute();
    else if (old.name !== s.name || old.kind !== s.kind || old.town !== s.town)
      await tx.updateTable('school').set(s).where('uai', '=', s.uai).execute();
    else continue;
    changes.schools++;
  }

  for (const c of records.classes) {
    const id = classIdOf(c.uai, c.name);
    const old = await tx.selectFrom('class').selectAll().where('id', '=', id).executeTakeFirst();
    if (!old) await tx.insertInto('class').values({ id, uai: c.uai, name: c.name }).execute();
    else if (old.name !== c.name)
      await tx.updateTable('class').set({ name: c.name }).where('id', '=', id).execute();
    else continue;
    changes.classes++;
  }

  const ids = new Map<string, string>();
  for (const p of records.persons) {
    const old = await tx
      .selectFrom('person')
      .selectAll()
      .where('login', '=', p.login)
      .executeTakeFirst();
    if (old) {
      ids.set(p.login, old.id);
      if (old.given_name === p.givenName && old.family_name === p.familyName) continue;
      await tx
        .updateTable('person')
        .set({ given_name: p.givenName, family_name: p.familyName })
        .where('id', '=', old.id)
        .execute();
    } else {
      const id = p.id ?? newPersonId();
      ids.set(p.login, id);
      await tx
        .insertInto('person')
        .values({ id, login: p.login, given_name: p.givenName, family_name: p.familyName })
        .execute();
    }
    changes.persons++;
  }
  const idOf = async (login: string) => {
    let id = ids.get(login);
    if (!id) {
      const row = await tx
        .selectFrom('person')
        .select('id')
        .where('login', '=', login)
        .executeTakeFirstOrThrow();
      id = row.id;
      ids.set(login, id);
    }
    return id;
  };

  // (person, school) → wanted profile kinds and class memberships.
  const wanted = new Map<
    string,
    { login: string; uai: string; kinds: Set<ProfileKind>; classes: Map<string, ClassRole> }
  >();
  for (const p of records.profiles) {
    const key = `${p.login}\u0000${p.uai}`;
    let entry = wanted.get(key);
    if (!entry) {
      entry = { login: p.login, uai: p.uai, kinds: new Set(), classes: new Map() };
      wanted.set(key, entry);
    }
    entry.kinds.add(p.kind);
    for (const name of p.classes)
      entry.classes.set(classIdOf(p.uai, name), p.kind === 'teacher' ? 'teacher' : 'student');
  }
  for (const entry of wanted.values()) {
    const personId = await idOf(entry.login);
    const oldKinds = await tx
      .selectFrom('profile')
      .select('kind')
      .where('person_id', '=', personId)
      .where('uai', '=', entry.uai)
      .execute();
    const had = new Set(oldKinds.map((k) => k.kind));
    for (const kind of entry.kinds) {
      if (had.has(kind)) continue;
      await tx
        .insertInto('profile')
        .values({ person_id: personId, uai: entry.uai, kind })
        .execute();
      changes.profiles++;
    }
    for (const kind of had) {
      if (entry.kinds.has(kind)) continue;
      await tx
        .deleteFrom('profile')
        .where('person_id', '=', personId)
        .where('uai', '=', entry.uai)
        .where('kind', '=', kind)
        .execute();
      changes.profiles++;
    }
    changes.memberships += await setMemberships(
      tx,
      personId,
      entry.uai,
      entry.classes,
      actor,
      onMembership,
    );
  }

  const roleHolders = new Set([
    ...records.persons.map((p) => p.login),
    ...records.roles.map((r) => r.login),
  ]);
  for (const login of roleHolders) {
    const personId = await idOf(login);
    const want = new Set(records.roles.filter((r) => r.login === login).map((r) => r.role));
    const had = new Set(
      (
        await tx
          .selectFrom('platform_role')
          .select('role')
          .where('person_id', '=', personId)
          .execute()
      ).map((r) => r.role),
    );
    for (const role of want) {
      if (had.has(role)) continue;
      await tx.insertInto('platform_role').values({ person_id: personId, role }).execute();
      changes.roles++;
    }
    for (const role of had) {
      if (want.has(role)) continue;
      await tx
        .deleteFrom('platform_role')
        .where('person_id', '=', personId)
        .where('role', '=', role)
        .execute();
      changes.roles++;
    }
  }

  for (const group of records.teaching ?? []) {
    const want = new Map<string, 'teacher' | 'student'>();
    for (const login of group.students) want.set(await idOf(login), 'student');
    for (const login of group.teachers) want.set(await idOf(login), 'teacher');
    const result = await applyTeachingGroup(tx, group, want, actor, onMembership);
    changes.teaching += result.created ? 1 : 0;
    changes.memberships += result.memberships;
  }
  return changes;
}

/**
 * Creates a teaching group the file declares (if new) and makes its members
 * exactly the file's teachers and students; traces each change as the
 * spaces service does, with the directory as source.
 */
async function applyTeachingGroup(
  tx: Transaction<Schema>,
  group: { uai: string; name: string },
  want: Map<string, 'teacher' | 'student'>,
  actor: string,
  onMembership: (change: MembershipChange) => void,
): Promise<{ created: boolean; memberships: number }> {
  const id = teachingSpaceIdOf(group.uai, group.name);
  const exists = await tx.selectFrom('space').select('id').where('id', '=', id).executeTakeFirst();
  if (!exists) {
    await insertSpace(tx, {
      id,
      kind: 'teaching',
      name: group.name,
      uai: group.uai,
      projectId: null,
      createdBy: actor,
    });
    await recordTrace(tx, {
      actor,
      kind: 'space.created',
      space: id,
      subject: id,
      payload: { kind: 'teaching', name: group.name, uai: group.uai, source: 'directory' },
    });
  }
  const rows = await tx
    .selectFrom('space_member')
    .select(['person_id', 'role'])
    .where('space_id', '=', id)
    .execute();
  const had = new Map(rows.map((r) => [r.person_id, r.role]));
  let memberships = 0;
  const trace = (person: string, change: 'added' | 'removed' | 'role', role: SpaceRole) => {
    memberships++;
    onMembership({ space: id, person, change, role });
    return recordTrace(tx, {
      actor,
      kind: 'membership.changed',
      space: id,
      subject: person,
      payload: { change, role, person, source: 'directory' },
    });
  };
  for (const [person, role] of want) {
    const old = had.get(person);
    if (old === role) continue;
    await putMember(tx, { spaceId: id, personId: person, role, by: actor });
    await trace(person, old ? 'role' : 'added', role);
  }
  for (const [person, role] of had) {
    if (want.has(person)) continue;
    await deleteMember(tx, id, person);
    await trace(person, 'removed', role);
  }
  return { created: !exists, memberships };
}

/** Makes a person's memberships in one school's classes exactly `want`; traces each change. */
async function setMemberships(
  tx: Transaction<Schema>,
  personId: string,
  uai: string,
  want: Map<string, ClassRole>,
  actor: string,
  onMembership: (change: MembershipChange) => void,
): Promise<number> {
  const rows = await tx
    .selectFrom('class_member')
    .innerJoin('class', 'class.id', 'class_member.class_id')
    .select(['class_member.class_id', 'class_member.role'])
    .where('class_member.person_id', '=', personId)
    .where('class.uai', '=', uai)
    .execute();
  const had = new Map(rows.map((r) => [r.class_id, r.role]));
  let changed = 0;
  const trace = (classId: string, change: 'added' | 'removed' | 'role', role: ClassRole) => {
    onMembership({ space: classSpaceId(classId), person: personId, change, role });
    return recordTrace(tx, {
      actor,
      kind: 'membership.changed',
      space: classSpaceId(classId),
      subject: personId,
      payload: { change, role, person: personId, source: 'directory' },
    });
  };
  for (const [classId, role] of want) {
    const old = had.get(classId);
    if (old === role) continue;
    if (old) {
      await tx
        .updateTable('class_member')
        .set({ role })
        .where('class_id', '=', classId)
        .where('person_id', '=', personId)
        .execute();
      await trace(classId, 'role', role);
    } else {
      await tx
        .insertInto('class_member')
        .values({ class_id: classId, person_id: personId, role })
        .execute();
      await trace(classId, 'added', role);
    }
    changed++;
  }
  for (const [classId, role] of had) {
    if (want.has(classId)) continue;
    await tx
      .deleteFrom('class_member')
      .where('class_id', '=', classId)
      .where('person_id', '=', personId)
      .execute();
    await trace(classId, 'removed', role);
    changed++;
  }
  return changed;
}
