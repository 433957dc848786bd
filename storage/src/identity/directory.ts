import type {
  ClassSummary,
  DirectoryPerson,
  PlatformRole,
  Profile,
  School,
  SessionUser,
} from '@preau/protocol';
import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema';

/** A database or a transaction: every read here works with both. */
export type Executor = Kysely<Schema> | Transaction<Schema>;

/** The name shown to others: given name then family name. */
export function displayName(p: { given_name: string; family_name: string }): string {
  return `${p.given_name} ${p.family_name}`;
}

/** A class's id: its school's UAI and its name without spaces or accents (`0350042K_3eA`). */
export function classIdOf(uai: string, name: string): string {
  return `${uai}_${slugOf(name)}`;
}

/** Letters and digits of a name, accents removed. */
export function slugOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]/g, '');
}

/** The signed-in user's view of a person: name, profiles, roles; null if unknown. */
export async function sessionUserOf(db: Executor, personId: string): Promise<SessionUser | null> {
  const person = await db
    .selectFrom('person')
    .selectAll()
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!person) return null;
  const [profiles, roles] = await Promise.all([profilesOf(db, personId), rolesOf(db, personId)]);
  return { id: person.id, name: displayName(person), profiles, roles };
}

/** The person a login (the provider's subject) names, if any. */
export async function personIdByLogin(db: Executor, login: string): Promise<string | null> {
  const row = await db
    .selectFrom('person')
    .select('id')
    .where('login', '=', login)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** A person's profiles, by school. */
export async function profilesOf(db: Executor, personId: string): Promise<Profile[]> {
  const rows = await db
    .selectFrom('profile')
    .select(['uai', 'kind'])
    .where('person_id', '=', personId)
    .orderBy('uai')
    .orderBy('kind')
    .execute();
  return rows;
}

/** A person's platform roles (archivist, dpo, admin). */
export async function rolesOf(db: Executor, personId: string): Promise<PlatformRole[]> {
  const rows = await db
    .selectFrom('platform_role')
    .select('role')
    .where('person_id', '=', personId)
    .orderBy('role')
    .execute();
  return rows.map((r) => r.role);
}

/** Every school, by name. */
export async function listSchools(db: Executor): Promise<School[]> {
  return db.selectFrom('school').selectAll().orderBy('name').execute();
}

/** Every class (of one school when `uai` is given), by school then name. */
export async function listClasses(db: Executor, uai?: string): Promise<ClassSummary[]> {
  let query = db
    .selectFrom('class')
    .innerJoin('school', 'school.uai', 'class.uai')
    .select(['class.id', 'class.uai', 'class.name', 'school.name as schoolName']);
  if (uai) query = query.where('class.uai', '=', uai);
  return query.orderBy('school.name').orderBy('class.name').execute();
}

/** One class, or null. */
export async function classById(db: Executor, classId: string): Promise<ClassSummary | null> {
  const row = await db
    .selectFrom('class')
    .innerJoin('school', 'school.uai', 'class.uai')
    .select(['class.id', 'class.uai', 'class.name', 'school.name as schoolName'])
    .where('class.id', '=', classId)
    .executeTakeFirst();
  return row ?? null;
}

/** Persons of the directory, by family name; filtered by a text and a school. */
export async function listPersons(
  db: Executor,
  opts: { q?: string; uai?: string; limit?: number; offset?: number } = {},
): Promise<{ total: number; persons: DirectoryPerson[] }> {
  let query = db.selectFrom('person');
  if (opts.q) {
    const like = `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
    query = query.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['login']), 'like', like),
        eb(eb.fn('lower', ['given_name']), 'like', like),
        eb(eb.fn('lower', ['family_name']), 'like', like),
      ]),
    );
  }
  if (opts.uai) {
    const uai = opts.uai;
    query = query.where('id', 'in', (eb) =>
      eb.selectFrom('profile').select('person_id').where('uai', '=', uai),
    );
  }
  const total = await query
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await query
    .selectAll()
    .orderBy('family_name')
    .orderBy('given_name')
    .orderBy('login')
    .limit(opts.limit ?? 50)
    .offset(opts.offset ?? 0)
    .execute();
  const ids = rows.map((r) => r.id);
  const [profiles, roles] = ids.length
    ? await Promise.all([
        db.selectFrom('profile').selectAll().where('person_id', 'in', ids).execute(),
        db.selectFrom('platform_role').selectAll().where('person_id', 'in', ids).execute(),
      ])
    : [[], []];
  return {
    total: Number(total.n),
    persons: rows.map((r) => ({
      id: r.id,
      login: r.login,
      displayName: displayName(r),
      profiles: profiles
        .filter((p) => p.person_id === r.id)
        .map((p) => ({ uai: p.uai, kind: p.kind })),
      roles: roles.filter((p) => p.person_id === r.id).map((p) => p.role),
    })),
  };
}

/** How many rows the directory holds, for the admin overview. */
export async function directoryCounts(db: Executor) {
  const count = async (table: 'school' | 'person' | 'class' | 'class_member') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const [schools, persons, classes, memberships] = await Promise.all([
    count('school'),
    count('person'),
    count('class'),
    count('class_member'),
  ]);
  return { schools, persons, classes, memberships };
}

/** How many teachers and students each class has, by class id. */
export async function classSizes(
  db: Executor,
): Promise<Map<string, { teachers: number; students: number }>> {
  const rows = await db
    .selectFrom('class_member')
    .select(['class_id', 'role', (eb) => eb.fn.countAll<string | number>().as('n')])
    .groupBy(['class_id', 'role'])
    .execute();
  const sizes = new Map<string, { teachers: number; students: number }>();
  for (const r of rows) {
    const size = sizes.get(r.class_id) ?? { teachers: 0, students: 0 };
    if (r.role === 'teacher') size.teachers = Number(r.n);
    else size.students = Number(r.n);
    sizes.set(r.class_id, size);
  }
  return sizes;
}

/** What tells people with the same name apart: their login and their classes (by name). */
export interface PersonDistinguisher {
  login: string;
  classes: string[];
}

/** The logins and class names of some persons, by person id (unknown ids are left out). */
export async function distinguishersOf(
  db: Executor,
  personIds: readonly string[],
): Promise<Map<string, PersonDistinguisher>> {
  const found = new Map<string, PersonDistinguisher>();
  if (personIds.length === 0) return found;
  const ids = [...new Set(personIds)];
  const [persons, memberships] = await Promise.all([
    db.selectFrom('person').select(['id', 'login']).where('id', 'in', ids).execute(),
    db
      .selectFrom('class_member')
      .innerJoin('class', 'class.id', 'class_member.class_id')
      .select(['class_member.person_id', 'class.name'])
      .where('class_member.person_id', 'in', ids)
      .orderBy('class.name')
      .execute(),
  ]);
  for (const p of persons) found.set(p.id, { login: p.login, classes: [] });
  for (const m of memberships) found.get(m.person_id)?.classes.push(m.name);
  return found;
}
