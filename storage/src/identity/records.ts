import { randomBytes } from 'node:crypto';
import {
  type ClassRole,
  classSpaceId,
  type ImportChanges,
  type MembershipChange,
  type PlatformRole,
  type ProfileKind,
  type SchoolKind,
} from '@preau/protocol';
import type { Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import { recordTrace } from '../trace/recordTrace';
import { classIdOf } from './directory';

/** The directory as a file describes it (CSV import and demo data share this shape). */
export interface DirectoryRecords {
  schools: Array<{ uai: string; name: string; kind: SchoolKind; town: string }>;
  classes: Array<{ uai: string; name: string }>;
  /** `id` is only given by the demo data (deterministic); imports draw a random one. */
  persons: Array<{ login: string; givenName: string; familyName: string; id?: string }>;
  profiles: Array<{ login: string; uai: string; kind: ProfileKind; classes: string[] }>;
  roles: Array<{ login: string; role: PlatformRole }>;
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
  return changes;
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
