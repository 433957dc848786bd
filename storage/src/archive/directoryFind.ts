import { type PersonLabel, parseSpaceId, type SpaceKind, type SpaceLabel } from '@preau/protocol';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema';
import { displayName } from '../identity/directory';
import { folded, likeOf, searchWords } from '../identity/nameSearch';
import { personNameRows } from './names';

// The archivist names what they look for (a class, a person) instead of
// typing ids; the archive names what it shows (spaces, people) from the
// directory at read time. Both go through here.

/** One kind of space the archive can find and name: classes, teaching groups, work groups, projects. */
interface SpaceSource {
  kind: SpaceKind;
  /** Spaces whose name (or school) holds every word. */
  find(db: Kysely<Schema>, words: readonly string[], limit: number): Promise<SpaceLabel[]>;
  /** Labels of spaces of this kind, by their owner's id (the part after `kind_`). */
  label(db: Kysely<Schema>, ownerIds: readonly string[]): Promise<SpaceLabel[]>;
}

function classQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('class')
    .innerJoin('school', 'school.uai', 'class.uai')
    .select(['class.id', 'class.name', 'class.uai', 'school.name as schoolName']);
}

const classLabel = (r: { id: string; name: string; uai: string; schoolName: string }) =>
  ({
    id: `class_${r.id}`,
    kind: 'class',
    name: r.name,
    schools: [{ uai: r.uai, name: r.schoolName }],
  }) satisfies SpaceLabel;

const classSpaces: SpaceSource = {
  kind: 'class',
  async find(db, words, limit) {
    let query = classQuery(db);
    // The class's name, its id (`0350042K_3eA`, so « 3eA » finds « 3e A »), its school and town.
    const haystack = folded(
      sql<string>`class.name || ' ' || class.id || ' ' || school.name || ' ' || school.town`,
    );
    for (const word of words) query = query.where(haystack, 'like', likeOf(word));
    const rows = await query.orderBy('school.name').orderBy('class.name').limit(limit).execute();
    return rows.map(classLabel);
  },
  async label(db, ownerIds) {
    if (ownerIds.length === 0) return [];
    const rows = await classQuery(db).where('class.id', 'in', ownerIds).execute();
    return rows.map(classLabel);
  },
};

/**
 * Words that name each kind of space beyond classes, searched with its name
 * (so « projet » lists projects, « groupe de travail » work groups).
 */
const KIND_WORDS = {
  teaching: "groupe d'enseignement",
  group: 'groupe de travail',
  project: 'projet inter-etablissements',
} as const;

/**
 * The schools a space reaches, in SQL for the space row in scope: its own
 * school, the schools of the classes brought in, and those of its members
 * (a project, or a work group made in one, spans several).
 */
const spaceSchoolUais = sql`
  SELECT space.uai WHERE space.uai IS NOT NULL
  UNION SELECT c.uai FROM space_class sc JOIN class c ON c.id = sc.class_id
    WHERE sc.space_id = space.id
  UNION SELECT p.uai FROM space_member m JOIN profile p ON p.person_id = m.person_id
    WHERE m.space_id = space.id AND p.kind IN ('student', 'teacher', 'guest')`;

/** The schools of spaces (see `spaceSchoolUais`), by space id, sorted by name. */
async function schoolsOfSpaces(
  db: Kysely<Schema>,
  ids: readonly string[],
): Promise<Map<string, { uai: string; name: string }[]>> {
  const out = new Map<string, { uai: string; name: string }[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('space')
    .innerJoin('school', (join) => join.on(sql<boolean>`school.uai IN (${spaceSchoolUais})`))
    .select(['space.id', 'school.uai', 'school.name'])
    .where('space.id', 'in', ids)
    .orderBy('school.name')
    .execute();
  for (const r of rows) out.set(r.id, [...(out.get(r.id) ?? []), { uai: r.uai, name: r.name }]);
  return out;
}

/** Work groups, teaching groups or projects (a `space` row), found by name and schools. */
function spaceRowSource(kind: keyof typeof KIND_WORDS): SpaceSource {
  const labels = async (db: Kysely<Schema>, rows: readonly { id: string; name: string }[]) => {
    const schools = await schoolsOfSpaces(
      db,
      rows.map((r) => r.id),
    );
    return rows.map(
      (r): SpaceLabel => ({ id: r.id, kind, name: r.name, schools: schools.get(r.id) ?? [] }),
    );
  };
  return {
    kind,
    async find(db, words, limit) {
      // Its name, what kind it is, and the names and towns of the schools it reaches.
      const haystack = folded(
        sql<string>`space.name || ' ' || ${KIND_WORDS[kind]} || ' ' || coalesce((
          SELECT string_agg(s.name || ' ' || s.town, ' ') FROM school s
          WHERE s.uai IN (${spaceSchoolUais})), '')`,
      );
      let query = db.selectFrom('space').select(['space.id', 'space.name']);
      query = query.where('space.kind', '=', kind);
      for (const word of words) query = query.where(haystack, 'like', likeOf(word));
      return labels(
        db,
        await query.orderBy('space.name').orderBy('space.id').limit(limit).execute(),
      );
    },
    async label(db, ownerIds) {
      if (ownerIds.length === 0) return [];
      const rows = await db
        .selectFrom('space')
        .select(['id', 'name'])
        .where('kind', '=', kind)
        .where(
          'id',
          'in',
          ownerIds.map((o) => `${kind}_${o}`),
        )
        .execute();
      return labels(db, rows);
    },
  };
}

/** Every kind of space the archive knows; a new kind of space adds its source here. */
const SPACE_SOURCES: readonly SpaceSource[] = [
  classSpaces,
  spaceRowSource('teaching'),
  spaceRowSource('group'),
  spaceRowSource('project'),
];

/** Spaces whose name or school holds every word typed, of every kind, a few of each. */
export async function findSpaces(
  db: Kysely<Schema>,
  text: string,
  limit = 12,
): Promise<SpaceLabel[]> {
  const words = searchWords(text);
  if (words.length === 0) return [];
  const found = await Promise.all(SPACE_SOURCES.map((s) => s.find(db, words, limit)));
  // In turns, one of each kind, so that many classes do not hide a group or a project.
  const out: SpaceLabel[] = [];
  for (let i = 0; out.length < limit && found.some((f) => i < f.length); i++)
    for (const f of found) if (i < f.length && out.length < limit) out.push(f[i]!);
  return out;
}

/** Spaces named from the directory now; an id it does not know is left out. */
export async function spaceLabels(
  db: Kysely<Schema>,
  spaceIds: readonly string[],
): Promise<Map<string, SpaceLabel>> {
  const byKind = new Map<SpaceKind, string[]>();
  for (const id of new Set(spaceIds)) {
    const parsed = parseSpaceId(id);
    if (!parsed) continue;
    byKind.set(parsed.kind, [...(byKind.get(parsed.kind) ?? []), parsed.ownerId]);
  }
  const labels = await Promise.all(SPACE_SOURCES.map((s) => s.label(db, byKind.get(s.kind) ?? [])));
  return new Map(labels.flat().map((l) => [l.id, l]));
}

/** People with their schools (and kind of profile there) and platform roles. */
async function labelsOf(
  db: Kysely<Schema>,
  rows: readonly { id: string; given_name: string; family_name: string }[],
): Promise<PersonLabel[]> {
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return [];
  const [profiles, roles] = await Promise.all([
    db
      .selectFrom('profile')
      .innerJoin('school', 'school.uai', 'profile.uai')
      .select(['profile.person_id', 'profile.uai', 'profile.kind', 'school.name'])
      .where('profile.person_id', 'in', ids)
      .orderBy('school.name')
      .execute(),
    db.selectFrom('platform_role').selectAll().where('person_id', 'in', ids).execute(),
  ]);
  return rows.map((r) => ({
    id: r.id,
    name: displayName(r),
    schools: profiles
      .filter((p) => p.person_id === r.id)
      .map((p) => ({ uai: p.uai, name: p.name, kind: p.kind })),
    roles: roles.filter((p) => p.person_id === r.id).map((p) => p.role),
  }));
}

/** People whose given name, family name or login holds every word typed. */
export async function findPersons(
  db: Kysely<Schema>,
  text: string,
  limit = 12,
): Promise<PersonLabel[]> {
  const words = searchWords(text);
  if (words.length === 0) return [];
  const haystack = folded(sql<string>`given_name || ' ' || family_name || ' ' || login`);
  let query = db.selectFrom('person').select(['id', 'given_name', 'family_name']);
  for (const word of words) query = query.where(haystack, 'like', likeOf(word));
  const rows = await query
    .orderBy('family_name')
    .orderBy('given_name')
    .orderBy('id')
    .limit(limit)
    .execute();
  return labelsOf(db, rows);
}

/** People named from the directory now; an id it no longer knows is left out. */
export async function personLabels(
  db: Kysely<Schema>,
  ids: readonly string[],
): Promise<Map<string, PersonLabel>> {
  const rows = await personNameRows(db, ids);
  return new Map((await labelsOf(db, rows)).map((l) => [l.id, l]));
}

/** The pseudonymous id of a person given by id or by login (old links carry logins), or null. */
export async function personByIdOrLogin(db: Kysely<Schema>, text: string): Promise<string | null> {
  const row = await db
    .selectFrom('person')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', text), eb('login', '=', text)]))
    .executeTakeFirst();
  return row?.id ?? null;
}
