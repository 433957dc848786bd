import { classSpaceId } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../db/Database';
import { readOutbox } from '../trace/recordTrace';
import { classesOfPerson, membersOfSpace } from './access';
import { demoAccounts, demoDirectory, seedDemoDirectory } from './demo';
import {
  classIdOf,
  directoryCounts,
  distinguishersOf,
  listPersons,
  personIdByLogin,
  sessionUserOf,
} from './directory';
import { createWebSession, deleteWebSession, findSessionUser } from './sessions';

describe('demo directory and access rules (PGlite)', () => {
  let database: Database;
  const id = async (login: string) => (await personIdByLogin(database.db, login))!;
  beforeAll(async () => {
    database = await openDatabase({ memory: true }, silentLogger());
  });
  afterAll(() => database.close());

  it('is deterministic and seeds an empty directory once', async () => {
    expect(demoDirectory()).toEqual(demoDirectory());
    expect(await seedDemoDirectory(database.db)).toBe(true);
    expect(await seedDemoDirectory(database.db)).toBe(false);
    const counts = await directoryCounts(database.db);
    expect(counts.schools).toBe(2);
    expect(counts.classes).toBe(4);
    const students = await database.db
      .selectFrom('profile')
      .select('person_id')
      .where('kind', '=', 'student')
      .execute();
    expect(students.length).toBeGreaterThanOrEqual(60);
    const teachers = await database.db
      .selectFrom('profile')
      .select('person_id')
      .distinct()
      .where('kind', '=', 'teacher')
      .execute();
    expect(teachers).toHaveLength(6);
    const logins = (await demoAccounts(database.db)).map((a) => a.login);
    for (const login of [
      'prof.martin',
      'eleve.lea.bernard',
      'cpe.girard',
      'archiviste',
      'dpo',
      'admin',
    ])
      expect(logins).toContain(login);
  });

  it('lists a person’s classes across schools and a space’s members by name', async () => {
    const classes = await classesOfPerson(database.db, await id('prof.dubois'));
    expect(classes.map((c) => [c.name, c.role, c.schoolName])).toEqual([
      ['4e B', 'teacher', 'Collège Anne de Bretagne'],
      ['2nde 1', 'teacher', 'Lycée de l’Iroise'],
    ]);
    expect(classes[0]!.space).toBe(classSpaceId(classes[0]!.id));
    const members = await membersOfSpace(database.db, classes[0]!.space);
    expect(members.filter((m) => m.role === 'teacher').map((m) => m.displayName)).toEqual([
      'Sophie Dubois',
      'Claire Martin',
    ]);
    expect(members.filter((m) => m.role === 'student')).toHaveLength(16);
    expect(members[0]!.role).toBe('teacher');
    expect(await membersOfSpace(database.db, 'group_x')).toEqual([]);
  });

  it('describes the signed-in user and traced the demo memberships', async () => {
    const user = await sessionUserOf(database.db, await id('admin'));
    expect(user).toMatchObject({ name: 'Paul Mercier', roles: ['admin'], profiles: [] });
    const cpe = await sessionUserOf(database.db, await id('cpe.girard'));
    expect(cpe?.profiles).toEqual([{ uai: '0350042K', kind: 'staff' }]);
    expect(await sessionUserOf(database.db, 'p_unknown')).toBeNull();
    const trace = await readOutbox(database.db, classSpaceId(classIdOf('0350042K', '3e A')));
    expect(trace.length).toBe(18);
    expect(trace.every((r) => r.kind === 'membership.changed')).toBe(true);
    const found = await listPersons(database.db, { q: 'mart', limit: 5 });
    expect(found.persons.map((p) => p.login)).toContain('prof.martin');
  });

  it('tells people apart by login and classes', async () => {
    const [martin, lea] = [await id('prof.martin'), await id('eleve.lea.bernard')];
    const found = await distinguishersOf(database.db, [martin, lea, martin, 'p_unknown']);
    expect(Object.fromEntries(found)).toEqual({
      [martin]: { login: 'prof.martin', classes: ['3e A', '4e B'] },
      [lea]: { login: 'eleve.lea.bernard', classes: ['3e A'] },
    });
    expect((await distinguishersOf(database.db, [])).size).toBe(0);
  });

  it('finds a session with its person as the directory describes them, in one read', async () => {
    for (const login of ['admin', 'prof.martin', 'cpe.girard', 'eleve.lea.bernard']) {
      const personId = await id(login);
      const opened = await createWebSession(database.db, {
        personId,
        idToken: null,
        ttlSeconds: 60,
      });
      const found = await findSessionUser(database.db, opened.secret);
      expect(found).toEqual({
        user: await sessionUserOf(database.db, personId),
        csrf: opened.csrf,
        expiresAt: opened.expiresAt,
      });
      await deleteWebSession(database.db, opened.secret);
      expect(await findSessionUser(database.db, opened.secret)).toBeNull();
    }
    const expired = await createWebSession(database.db, {
      personId: await id('admin'),
      idToken: null,
      ttlSeconds: -1,
    });
    expect(await findSessionUser(database.db, expired.secret)).toBeNull();
    expect(await findSessionUser(database.db, 'not-a-secret')).toBeNull();
  });
});
