import {
  classSpaceId,
  type ImportIssue,
  type ImportReport,
  type MembershipChange,
  PlatformRole,
  ProfileKind,
  type SchoolKind,
  SPACE_NAME_MAX,
  SpaceId,
} from '@preau/protocol';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import { classIdOf, slugOf } from './directory';
import { applyDirectory, type DirectoryRecords } from './records';

/** What the database already holds, so lines may refer to it. */
export interface KnownDirectory {
  schools: Set<string>;
  /** class id → its name */
  classes: Map<string, string>;
  logins: Set<string>;
  /** `login \u0000 uai \u0000 kind` for every profile held */
  profiles: Set<string>;
}

const SCHOOL_KINDS: Record<string, SchoolKind> = {
  ecole: 'ecole',
  école: 'ecole',
  college: 'college',
  collège: 'college',
  lycee: 'lycee',
  lycée: 'lycee',
};
const UAI = /^[0-9]{7}[A-Z]$/;
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const FIELDS: Record<string, number> = {
  school: 5,
  class: 3,
  person: 4,
  profile: 5,
  role: 3,
  teaching: 5,
};

/**
 * Splits one line on `;`, honouring double quotes (`""` is a quote inside a
 * quoted field); null when a quote is left open.
 */
export function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === ';') {
      out.push(field.trim());
      field = '';
    } else field += c;
  }
  if (quoted) return null;
  out.push(field.trim());
  return out;
}

/**
 * Validates a whole directory CSV file (format in the README) against itself
 * and what the database holds. Returns the records when every line is good,
 * else every bad line with its number and the reason.
 */
export function parseDirectoryCsv(
  text: string,
  known: KnownDirectory,
): { records: DirectoryRecords; lines: number } | { issues: ImportIssue[]; lines: number } {
  const records: DirectoryRecords = {
    schools: [],
    classes: [],
    persons: [],
    profiles: [],
    roles: [],
    teaching: [],
  };
  const issues: ImportIssue[] = [];
  const seen = new Map<string, number>();
  const schools = new Set(known.schools);
  const classes = new Map(known.classes);
  const logins = new Set(known.logins);
  const classLines: Array<{ line: number; uai: string; name: string }> = [];
  const refs: Array<{ line: number; check: () => string | null }> = [];
  const teachingLines: Array<{
    line: number;
    uai: string;
    teachers: string[];
    students: string[];
  }> = [];
  let lines = 0;

  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const readLine = (content: string, line: number): undefined => {
    if (content.trim() === '' || content.trimStart().startsWith('#')) return;
    lines++;
    const bad = (reason: string): undefined => {
      issues.push({ line, reason });
      return undefined;
    };
    const fields = splitCsvLine(content);
    if (!fields) return bad('guillemet non fermé');
    const type = fields[0]!.toLowerCase();
    const expected = FIELDS[type];
    if (!expected)
      return bad(
        `type de ligne inconnu « ${fields[0]} » (school, class, person, profile, role ou teaching)`,
      );
    if (fields.length !== expected)
      return bad(`${type} : ${expected} champs attendus, ${fields.length} trouvés`);
    const once = (key: string) => {
      const first = seen.get(key);
      if (first) {
        bad(`déjà déclaré ligne ${first}`);
        return false;
      }
      seen.set(key, line);
      return true;
    };
    const errors: string[] = [];
    switch (type) {
      case 'school': {
        const [, uai, name, kindText, town] = fields as [string, string, string, string, string];
        const kind = SCHOOL_KINDS[kindText.toLowerCase()];
        if (!UAI.test(uai))
          errors.push(`UAI invalide « ${uai} » (sept chiffres et une lettre majuscule)`);
        if (!name || name.length > 200) errors.push('nom d’établissement vide ou trop long');
        if (!kind)
          errors.push(`type d’établissement inconnu « ${kindText} » (école, collège ou lycée)`);
        if (!town || town.length > 120) errors.push('commune vide ou trop longue');
        if (errors.length) return bad(errors.join(' ; '));
        if (!once(`school ${uai}`)) return;
        schools.add(uai);
        records.schools.push({ uai, name, kind: kind!, town });
        return;
      }
      case 'class': {
        const [, uai, name] = fields as [string, string, string];
        if (!UAI.test(uai)) errors.push(`UAI invalide « ${uai} »`);
        // The class's space id carries the name without spaces: it must fit the protocol's ids too.
        const fits = SpaceId.safeParse(classSpaceId(classIdOf(uai, name))).success;
        if (!slugOf(name) || name.length > 60 || !fits)
          errors.push('nom de classe vide ou trop long');
        if (errors.length) return bad(errors.join(' ; '));
        if (!once(`class ${classIdOf(uai, name)}`)) return;
        classLines.push({ line, uai, name });
        refs.push({
          line,
          check: () => (schools.has(uai) ? null : `établissement inconnu « ${uai} »`),
        });
        records.classes.push({ uai, name });
        return;
      }
      case 'person': {
        const [, login, givenName, familyName] = fields as [string, string, string, string];
        if (!LOGIN.test(login))
          errors.push(`identifiant invalide « ${login} » (lettres, chiffres, . _ @ -)`);
        if (!givenName || givenName.length > 100) errors.push('prénom vide ou trop long');
        if (!familyName || familyName.length > 100) errors.push('nom vide ou trop long');
        if (errors.length) return bad(errors.join(' ; '));
        if (!once(`person ${login}`)) return;
        logins.add(login);
        records.persons.push({ login, givenName, familyName });
        return;
      }
      case 'profile': {
        const [, login, uai, kindText, classText] = fields as [
          string,
          string,
          string,
          string,
          string,
        ];
        const kind = ProfileKind.safeParse(kindText.toLowerCase());
        const names = classText
          .split('|')
          .map((n) => n.trim())
          .filter(Boolean);
        if (!kind.success)
          errors.push(`profil inconnu « ${kindText} » (student, teacher, staff, parent ou guest)`);
        if (!UAI.test(uai)) errors.push(`UAI invalide « ${uai} »`);
        if (kind.success && names.length && kind.data !== 'student' && kind.data !== 'teacher')
          errors.push('seuls les profils student et teacher ont des classes');
        if (errors.length) return bad(errors.join(' ; '));
        if (!once(`profile ${login} ${uai} ${kind.data}`)) return;
        refs.push({
          line,
          check: () => {
            const problems: string[] = [];
            if (!logins.has(login)) problems.push(`personne inconnue « ${login} »`);
            if (!schools.has(uai)) problems.push(`établissement inconnu « ${uai} »`);
            for (const n of names)
              if (classes.get(classIdOf(uai, n)) !== n)
                problems.push(`classe inconnue « ${n} » dans l’établissement ${uai}`);
            return problems.length ? problems.join(' ; ') : null;
          },
        });
        records.profiles.push({ login, uai, kind: kind.data!, classes: names });
        return;
      }
      case 'role': {
        const [, login, roleText] = fields as [string, string, string];
        const role = PlatformRole.safeParse(roleText.toLowerCase());
        if (!role.success) return bad(`rôle inconnu « ${roleText} » (archivist, dpo ou admin)`);
        if (!once(`role ${login} ${role.data}`)) return;
        refs.push({
          line,
          check: () => (logins.has(login) ? null : `personne inconnue « ${login} »`),
        });
        records.roles.push({ login, role: role.data });
        return;
      }
      case 'teaching': {
        const [, uai, name, teacherText, studentText] = fields as [
          string,
          string,
          string,
          string,
          string,
        ];
        const split = (text: string) =>
          text
            .split('|')
            .map((n) => n.trim())
            .filter(Boolean);
        const teachers = split(teacherText);
        const students = split(studentText);
        if (!UAI.test(uai)) errors.push(`UAI invalide « ${uai} »`);
        if (!slugOf(name) || name.length > SPACE_NAME_MAX)
          errors.push(`nom de groupe vide ou trop long (${SPACE_NAME_MAX} caractères au plus)`);
        if (teachers.length === 0)
          errors.push('au moins un enseignant (identifiants séparés par |)');
        for (const login of [...teachers, ...students])
          if (!LOGIN.test(login)) errors.push(`identifiant invalide « ${login} »`);
        const both = teachers.filter((t) => students.includes(t));
        if (both.length) errors.push(`« ${both[0]} » ne peut être à la fois enseignant et élève`);
        if (errors.length) return bad(errors.join(' ; '));
        if (!once(`teaching ${uai} ${slugOf(name).toLowerCase()}`)) return;
        teachingLines.push({ line, uai, teachers, students });
        records.teaching!.push({ uai, name, teachers, students });
        return;
      }
    }
  };
  raw.forEach((content, index) => {
    readLine(content, index + 1);
  });

  // Classes first (a class may not shadow another of the same school), then references.
  for (const c of classLines) {
    const id = classIdOf(c.uai, c.name);
    const existing = classes.get(id);
    if (existing !== undefined && existing !== c.name)
      issues.push({
        line: c.line,
        reason: `la classe « ${c.name} » se confond avec « ${existing} »`,
      });
    else classes.set(id, c.name);
  }
  for (const ref of refs) {
    const problem = ref.check();
    if (problem) issues.push({ line: ref.line, reason: problem });
  }
  // A person may not be both student and teacher of one class.
  const roleIn = new Map<string, { kind: string; line: number }>();
  records.profiles.forEach((p) => {
    for (const n of p.classes) {
      const key = `${p.login}\u0000${classIdOf(p.uai, n)}`;
      const other = roleIn.get(key);
      if (other && other.kind !== p.kind)
        issues.push({
          line: lineOfProfile(seen, p),
          reason: `« ${p.login} » ne peut être à la fois ${other.kind} et ${p.kind} en « ${n} »`,
        });
      else roleIn.set(key, { kind: p.kind, line: lineOfProfile(seen, p) });
    }
  });
  // A teaching group's people must hold the matching profile in its school
  // (the file's profiles for that person and school when it has some, else the directory's).
  const fileKinds = new Map<string, Set<string>>();
  for (const p of records.profiles) {
    const key = `${p.login}\u0000${p.uai}`;
    fileKinds.set(key, (fileKinds.get(key) ?? new Set()).add(p.kind));
  }
  const holds = (login: string, uai: string, kind: string) => {
    const inFile = fileKinds.get(`${login}\u0000${uai}`);
    return inFile ? inFile.has(kind) : known.profiles.has(`${login}\u0000${uai}\u0000${kind}`);
  };
  for (const t of teachingLines) {
    const problems: string[] = [];
    if (!schools.has(t.uai)) problems.push(`établissement inconnu « ${t.uai} »`);
    for (const [list, kind, label] of [
      [t.teachers, 'teacher', 'enseignant'],
      [t.students, 'student', 'élève'],
    ] as const)
      for (const login of list) {
        if (!logins.has(login)) problems.push(`personne inconnue « ${login} »`);
        else if (!holds(login, t.uai, kind))
          problems.push(`« ${login} » n’est pas ${label} dans l’établissement ${t.uai}`);
      }
    if (problems.length) issues.push({ line: t.line, reason: problems.join(' ; ') });
  }
  if (lines === 0) issues.push({ line: 1, reason: 'fichier vide' });
  issues.sort((a, b) => a.line - b.line);
  return issues.length ? { issues, lines } : { records, lines };
}

function lineOfProfile(seen: Map<string, number>, p: { login: string; uai: string; kind: string }) {
  return seen.get(`profile ${p.login} ${p.uai} ${p.kind}`) ?? 1;
}

/** Reads what the database holds that lines may refer to. */
export async function knownDirectory(db: Kysely<Schema>): Promise<KnownDirectory> {
  const [schools, classes, persons, profiles] = [
    await db.selectFrom('school').select('uai').execute(),
    await db.selectFrom('class').select(['id', 'name']).execute(),
    await db.selectFrom('person').select('login').execute(),
    await db
      .selectFrom('profile')
      .innerJoin('person', 'person.id', 'profile.person_id')
      .select(['person.login', 'profile.uai', 'profile.kind'])
      .execute(),
  ];
  return {
    schools: new Set(schools.map((s) => s.uai)),
    classes: new Map(classes.map((c) => [c.id, c.name])),
    logins: new Set(persons.map((p) => p.login)),
    profiles: new Set(profiles.map((p) => `${p.login}\u0000${p.uai}\u0000${p.kind}`)),
  };
}

/**
 * Imports a directory CSV file: the whole file is validated first; nothing is
 * applied unless every line is good; importing the same file again changes
 * nothing. `actor` (the admin's person id) signs the membership traces; the
 * membership changes are returned for announcing once committed.
 */
export async function importDirectoryCsv(
  db: Kysely<Schema>,
  text: string,
  actor: string,
): Promise<ImportReport & { memberships?: MembershipChange[] }> {
  const memberships: MembershipChange[] = [];
  return db.transaction().execute(async (tx) => {
    const parsed = parseDirectoryCsv(text, await knownDirectory(tx));
    if ('issues' in parsed) return { applied: false, lines: parsed.lines, issues: parsed.issues };
    const changes = await applyDirectory(tx, parsed.records, actor, (c) => memberships.push(c));
    return { applied: true, lines: parsed.lines, changes, memberships };
  });
}
