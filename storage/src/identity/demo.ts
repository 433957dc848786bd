import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import { applyDirectory, type DirectoryRecords } from './records';

/** Deterministic pseudo-random numbers (mulberry32), so the demo is the same everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = [
  'Léa',
  'Hugo',
  'Inès',
  'Lucas',
  'Chloé',
  'Gabriel',
  'Manon',
  'Louis',
  'Jade',
  'Raphaël',
  'Camille',
  'Arthur',
  'Zoé',
  'Jules',
  'Emma',
  'Adam',
  'Louise',
  'Nathan',
  'Alice',
  'Tom',
  'Lina',
  'Théo',
  'Rose',
  'Noah',
  'Anna',
  'Sacha',
  'Mila',
  'Ethan',
  'Lou',
  'Paul',
  'Nour',
  'Mathis',
  'Ambre',
  'Yanis',
  'Sarah',
  'Enzo',
  'Julia',
  'Maël',
  'Lilou',
  'Aaron',
];
const FAMILY = [
  'Bernard',
  'Petit',
  'Moreau',
  'Garcia',
  'Durand',
  'Leroy',
  'Roux',
  'David',
  'Bertrand',
  'Morel',
  'Fournier',
  'Girard',
  'Bonnet',
  'Dupont',
  'Lambert',
  'Fontaine',
  'Rousseau',
  'Vincent',
  'Muller',
  'Lefèvre',
  'Faure',
  'André',
  'Mercier',
  'Blanc',
  'Guérin',
  'Boyer',
  'Garnier',
  'Chevalier',
  'François',
  'Legrand',
  'Gauthier',
  'Perrin',
  'Robin',
  'Clément',
  'Morin',
  'Nicolas',
  'Henry',
  'Roussel',
  'Mathieu',
  'Le Gall',
  'Le Goff',
  'Kerboriou',
  'Tanguy',
  'Diallo',
  'Nguyen',
  'Benali',
];

/** The two demo schools: a collège in Rennes and a lycée in Brest. */
export const DEMO_SCHOOLS = {
  college: { uai: '0350042K', name: 'Collège Anne de Bretagne', kind: 'college', town: 'Rennes' },
  lycee: { uai: '0290017Y', name: 'Lycée de l’Iroise', kind: 'lycee', town: 'Brest' },
} as const;

/** A login made of plain lowercase letters: `Léa Le Gall` → `lea.legall`. */
export function loginPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** One demo account, as printed at start and listed by the demo provider. */
export interface DemoAccount {
  login: string;
  name: string;
  /** What the account is, in French: « professeure, 3e A et 4e B ». */
  description: string;
  group: 'staff' | 'teacher' | 'student';
  /** For students: their class. */
  className?: string;
}

/**
 * The demo directory: two schools, four classes of sixteen students, six
 * teachers (one teaching in both schools), a CPE in each school, a parent, an archivist, a
 * DPO and an admin. The first student of each class has a fixed name.
 */
export function demoDirectory(): { records: DirectoryRecords; accounts: DemoAccount[] } {
  const rand = prng(20260901);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const idOf = () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = 'p_demo';
    for (let i = 0; i < 10; i++) s += pick([...alphabet]);
    return s;
  };
  const { college, lycee } = DEMO_SCHOOLS;
  const classes = [
    { uai: college.uai, name: '3e A', first: ['Léa', 'Bernard'] },
    { uai: college.uai, name: '4e B', first: ['Hugo', 'Petit'] },
    { uai: lycee.uai, name: '2nde 1', first: ['Inès', 'Moreau'] },
    { uai: lycee.uai, name: '1re G2', first: ['Lucas', 'Garcia'] },
  ] as const;
  const records: DirectoryRecords = {
    schools: [college, lycee],
    classes: classes.map(({ uai, name }) => ({ uai, name })),
    persons: [],
    profiles: [],
    roles: [],
  };
  const accounts: DemoAccount[] = [];
  const used = new Set<string>();
  const person = (login: string, givenName: string, familyName: string) => {
    used.add(login);
    records.persons.push({ login, givenName, familyName, id: idOf() });
  };

  const teachers = [
    {
      login: 'prof.martin',
      given: 'Claire',
      family: 'Martin',
      classes: [
        [college.uai, '3e A'],
        [college.uai, '4e B'],
      ],
    },
    { login: 'prof.bernard', given: 'Julien', family: 'Bernard', classes: [[college.uai, '3e A']] },
    {
      login: 'prof.dubois',
      given: 'Sophie',
      family: 'Dubois',
      classes: [
        [college.uai, '4e B'],
        [lycee.uai, '2nde 1'],
      ],
    },
    {
      login: 'prof.thomas',
      given: 'Nicolas',
      family: 'Thomas',
      classes: [
        [lycee.uai, '2nde 1'],
        [lycee.uai, '1re G2'],
      ],
    },
    { login: 'prof.robert', given: 'Isabelle', family: 'Robert', classes: [[lycee.uai, '1re G2']] },
    {
      login: 'prof.richard',
      given: 'Karim',
      family: 'Richard',
      classes: [
        [lycee.uai, '2nde 1'],
        [lycee.uai, '1re G2'],
      ],
    },
  ] as const;
  for (const t of teachers) {
    person(t.login, t.given, t.family);
    for (const uai of new Set(t.classes.map(([u]) => u)))
      records.profiles.push({
        login: t.login,
        uai,
        kind: 'teacher',
        classes: t.classes.filter(([u]) => u === uai).map(([, n]) => n),
      });
    accounts.push({
      login: t.login,
      name: `${t.given} ${t.family}`,
      description: `enseignant·e, ${t.classes.map(([, n]) => n).join(', ')}`,
      group: 'teacher',
    });
  }

  for (const c of classes) {
    for (let i = 0; i < 16; i++) {
      const [given, family] = i === 0 ? c.first : [pick(GIVEN), pick(FAMILY)];
      let login = `eleve.${loginPart(given)}.${loginPart(family)}`;
      for (let n = 2; used.has(login); n++)
        login = `eleve.${loginPart(given)}.${loginPart(family)}${n}`;
      person(login, given, family);
      records.profiles.push({ login, uai: c.uai, kind: 'student', classes: [c.name] });
      accounts.push({
        login,
        name: `${given} ${family}`,
        description: `élève, ${c.name}`,
        group: 'student',
        className: c.name,
      });
    }
  }

  const staff = [
    {
      login: 'cpe.girard',
      given: 'Nathalie',
      family: 'Girard',
      what: 'CPE, collège',
      uai: college.uai,
      kind: 'staff',
    },
    {
      login: 'parent.bernard',
      given: 'Marc',
      family: 'Bernard',
      what: 'parent d’élève, collège',
      uai: college.uai,
      kind: 'parent',
    },
    {
      login: 'archiviste',
      given: 'Anne',
      family: 'Lambert',
      what: 'archiviste',
      role: 'archivist',
    },
    {
      login: 'dpo',
      given: 'Hélène',
      family: 'Fontaine',
      what: 'déléguée à la protection des données',
      role: 'dpo',
    },
    {
      login: 'admin',
      given: 'Paul',
      family: 'Mercier',
      what: 'administrateur de l’annuaire',
      role: 'admin',
    },
    // Added later: last, so that every earlier account keeps its id.
    {
      login: 'cpe.riou',
      given: 'Yannick',
      family: 'Riou',
      what: 'CPE, lycée',
      uai: lycee.uai,
      kind: 'staff',
    },
  ] as const;
  for (const s of staff) {
    person(s.login, s.given, s.family);
    if ('uai' in s)
      records.profiles.push({ login: s.login, uai: s.uai, kind: s.kind, classes: [] });
    if ('role' in s) records.roles.push({ login: s.login, role: s.role });
    accounts.push({
      login: s.login,
      name: `${s.given} ${s.family}`,
      description: s.what,
      group: 'staff',
    });
  }
  return { records, accounts };
}

/**
 * Fills an empty directory with the demo data; does nothing (and returns
 * false) when the directory already holds someone.
 */
export async function seedDemoDirectory(db: Kysely<Schema>): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const any = await tx.selectFrom('person').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    await applyDirectory(tx, demoDirectory().records, 'system');
    return true;
  });
}

/** The demo accounts that exist in this directory (those whose login is present). */
export async function demoAccounts(db: Kysely<Schema>): Promise<DemoAccount[]> {
  const { accounts } = demoDirectory();
  const present = new Set(
    (
      await db
        .selectFrom('person')
        .select('login')
        .where(
          'login',
          'in',
          accounts.map((a) => a.login),
        )
        .execute()
    ).map((r) => r.login),
  );
  return accounts.filter((a) => present.has(a.login));
}
