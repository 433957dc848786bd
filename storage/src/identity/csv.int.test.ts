import { classSpaceId } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../db/Database';
import { memberRows } from '../spaces/spaces';
import { readOutbox } from '../trace/recordTrace';
import { classesOfPerson, membersOfSpace } from './access';
import { importDirectoryCsv, parseDirectoryCsv, splitCsvLine } from './csv';
import { classIdOf, directoryCounts, personIdByLogin, sessionUserOf } from './directory';
import { teachingSpaceIdOf } from './records';

const GOOD = `# Annuaire de test
school;0560001A;École du Port;école;Lorient
school;0560002B;"Collège ""Les Embruns""";collège;Vannes
class;0560002B;6e 1
class;0560002B;6e 2
person;prof.le-goff;Yann;Le Goff
profile;prof.le-goff;0560002B;teacher;6e 1|6e 2
profile;prof.le-goff;0560001A;parent;
person;eleve.maiwenn.tanguy;Maïwenn;Tanguy
profile;eleve.maiwenn.tanguy;0560002B;student;6e 1
person;eleve.tom.robin;Tom;Robin
profile;eleve.tom.robin;0560002B;student;6e 2
person;dpo.region;Anne;Kervella
role;dpo.region;dpo
`;

describe('directory CSV import (PGlite)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ memory: true }, silentLogger());
  });
  afterAll(() => database.close());

  it('splits fields on semicolons, honouring quotes', () => {
    expect(splitCsvLine('a; "b;c" ;"d ""e"""')).toEqual(['a', 'b;c', 'd "e"']);
    expect(splitCsvLine('a;"open')).toBeNull();
  });

  it('applies a good file, and re-importing it changes nothing', async () => {
    const first = await importDirectoryCsv(database.db, GOOD, 'p_admin');
    expect(first.memberships?.map((m) => [m.change, m.role])).toEqual([
      ['added', 'teacher'],
      ['added', 'teacher'],
      ['added', 'student'],
      ['added', 'student'],
    ]);
    expect(first).toMatchObject({
      applied: true,
      lines: 13,
      changes: { schools: 2, classes: 2, persons: 4, profiles: 4, memberships: 4, roles: 1 },
    });
    const teacher = (await personIdByLogin(database.db, 'prof.le-goff'))!;
    expect((await sessionUserOf(database.db, teacher))?.profiles).toEqual([
      { uai: '0560001A', kind: 'parent' },
      { uai: '0560002B', kind: 'teacher' },
    ]);
    expect((await classesOfPerson(database.db, teacher)).map((c) => c.name)).toEqual([
      '6e 1',
      '6e 2',
    ]);
    const school = await database.db
      .selectFrom('school')
      .selectAll()
      .where('uai', '=', '0560002B')
      .executeTakeFirst();
    expect(school).toMatchObject({ name: 'Collège "Les Embruns"', kind: 'college' });

    const counts = await directoryCounts(database.db);
    const again = await importDirectoryCsv(database.db, GOOD, 'p_admin');
    expect(again).toEqual({
      applied: true,
      lines: 13,
      memberships: [],
      changes: {
        schools: 0,
        classes: 0,
        persons: 0,
        profiles: 0,
        memberships: 0,
        roles: 0,
        teaching: 0,
      },
    });
    expect(await directoryCounts(database.db)).toEqual(counts);
    expect(await personIdByLogin(database.db, 'prof.le-goff')).toBe(teacher);
  });

  it('refuses a file with bad lines, reports each with its number, and applies nothing', async () => {
    const before = await directoryCounts(database.db);
    const bad = [
      'school;0560003C;Lycée Dupuy de Lôme;lycée;Lorient', // 1: good on its own
      'school;123;Lycée sans UAI;lycée;Brest', // 2: bad UAI
      'class;0560003C;2nde A', // 3: good
      'class;0999999Z;1re B', // 4: unknown school
      'person;eleve.new;Nouvel;Élève', // 5: good
      'person;eleve.new;Autre;Élève', // 6: duplicate
      'profile;eleve.new;0560003C;student;2nde Z', // 7: unknown class
      'profile;eleve.ghost;0560003C;student;2nde A', // 8: unknown person
      'profile;eleve.new;0560003C;chef;', // 9: unknown profile kind
      'profile;eleve.new;0560003C;staff;2nde A', // 10: staff with classes
      'role;eleve.new;superuser', // 11: unknown role
      'teacher;x;y', // 12: unknown type
      'person;trop;de;champs;ici', // 13: wrong field count
      'school;0560004D;École "mal fermée;école;Auray', // 14: ok: quote inside a field
      'class;0560003C;"2nde B', // 15: unclosed quote
      '', // blank lines are skipped
      'school;0560005E;Établissement;université;Rennes', // 17: bad kind
    ].join('\n');
    const report = await importDirectoryCsv(database.db, bad, 'p_admin');
    expect(report.applied).toBe(false);
    if (report.applied) return;
    expect(report.issues.map((i) => i.line)).toEqual([2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 15, 17]);
    const reason = (line: number) => report.issues.find((i) => i.line === line)!.reason;
    expect(reason(2)).toContain('UAI invalide');
    expect(reason(4)).toContain('établissement inconnu « 0999999Z »');
    expect(reason(6)).toContain('déjà déclaré ligne 5');
    expect(reason(7)).toContain('classe inconnue « 2nde Z »');
    expect(reason(8)).toContain('personne inconnue « eleve.ghost »');
    expect(reason(9)).toContain('profil inconnu « chef »');
    expect(reason(10)).toContain('seuls les profils student et teacher');
    expect(reason(11)).toContain('rôle inconnu');
    expect(reason(12)).toContain('type de ligne inconnu');
    expect(reason(13)).toContain('4 champs attendus, 5 trouvés');
    expect(reason(15)).toContain('guillemet non fermé');
    expect(reason(17)).toContain('type d’établissement inconnu');
    expect(await directoryCounts(database.db)).toEqual(before);
    expect(await personIdByLogin(database.db, 'eleve.new')).toBeNull();
  });

  it('moves a student to another class, tracing the membership changes', async () => {
    const moved = GOOD.replace(
      'profile;eleve.tom.robin;0560002B;student;6e 2',
      'profile;eleve.tom.robin;0560002B;student;6e 1',
    );
    const report = await importDirectoryCsv(database.db, moved, 'p_admin');
    expect(report).toMatchObject({ applied: true, changes: { memberships: 2, persons: 0 } });
    const six1 = classSpaceId(classIdOf('0560002B', '6e 1'));
    expect((await membersOfSpace(database.db, six1)).map((m) => m.displayName)).toContain(
      'Tom Robin',
    );
    const trace = await readOutbox(database.db, classSpaceId(classIdOf('0560002B', '6e 2')));
    expect(trace.at(-1)).toMatchObject({
      kind: 'membership.changed',
      actor: 'p_admin',
      payload: { change: 'removed', role: 'student' },
    });
  });

  it('refuses a class whose id would collide with an existing one, and an empty file', async () => {
    const parsed = parseDirectoryCsv('class;0560002B;6e-1', {
      schools: new Set(['0560002B']),
      classes: new Map([[classIdOf('0560002B', '6e 1'), '6e 1']]),
      logins: new Set(),
      profiles: new Set(),
    });
    expect('issues' in parsed && parsed.issues[0]?.reason).toContain('se confond avec « 6e 1 »');
    // Sixty letters without a space: short enough as a name, too long as the class space's id.
    const long = parseDirectoryCsv(`class;0560002B;${'A'.repeat(60)}`, {
      schools: new Set(['0560002B']),
      classes: new Map(),
      logins: new Set(),
      profiles: new Set(),
    });
    expect('issues' in long && long.issues[0]?.reason).toBe('nom de classe vide ou trop long');
    const empty = await importDirectoryCsv(database.db, '# rien\n\n', 'p_admin');
    expect(empty).toMatchObject({ applied: false, issues: [{ line: 1, reason: 'fichier vide' }] });
  });

  it('imports a teaching group across classes, keeps it on re-import, and follows the file', async () => {
    const group =
      'teaching;0560002B;Spécialité sciences;prof.le-goff;eleve.maiwenn.tanguy|eleve.tom.robin';
    await importDirectoryCsv(database.db, GOOD, 'p_admin'); // Tom back in 6e 2
    const first = await importDirectoryCsv(database.db, `${GOOD}${group}\n`, 'p_admin');
    expect(first).toMatchObject({ applied: true, changes: { teaching: 1, memberships: 3 } });
    const id = teachingSpaceIdOf('0560002B', 'Spécialité sciences');
    const members = async () =>
      (await memberRows(database.db, id)).map((m) => [m.givenName, m.role]).sort();
    expect(await members()).toEqual([
      ['Maïwenn', 'student'],
      ['Tom', 'student'],
      ['Yann', 'teacher'],
    ]);
    const again = await importDirectoryCsv(database.db, `${GOOD}${group}\n`, 'p_admin');
    expect(again).toMatchObject({ applied: true, changes: { teaching: 0, memberships: 0 } });

    const fewer = group.replace('|eleve.tom.robin', '');
    const third = await importDirectoryCsv(database.db, `${GOOD}${fewer}\n`, 'p_admin');
    expect(third).toMatchObject({ applied: true, changes: { teaching: 0, memberships: 1 } });
    expect(await members()).toEqual([
      ['Maïwenn', 'student'],
      ['Yann', 'teacher'],
    ]);
    const trace = await readOutbox(database.db, id);
    expect(trace.map((t) => t.kind)).toEqual([
      'space.created',
      'membership.changed',
      'membership.changed',
      'membership.changed',
      'membership.changed',
    ]);
    expect(trace.at(-1)).toMatchObject({ actor: 'p_admin', payload: { change: 'removed' } });
  });

  it('refuses a teaching group whose people do not hold the matching profile', async () => {
    const before = await directoryCounts(database.db);
    const bad = [
      'teaching;0560002B;Latin;eleve.tom.robin;', // 1: a student as teacher
      'teaching;0560002B;Grec;;eleve.tom.robin', // 2: no teacher
      'teaching;0560002B;Arts;prof.le-goff;eleve.ghost', // 3: unknown person
      'teaching;0560001A;Chant;prof.le-goff;', // 4: a parent there, not a teacher
      'teaching;0560002B;latin;prof.le-goff;', // 5: same group as line 1
    ].join('\n');
    const report = await importDirectoryCsv(database.db, bad, 'p_admin');
    expect(report.applied).toBe(false);
    if (report.applied) return;
    const reason = (line: number) => report.issues.find((i) => i.line === line)?.reason;
    expect(reason(1)).toContain('n’est pas enseignant');
    expect(reason(2)).toContain('au moins un enseignant');
    expect(reason(3)).toContain('personne inconnue « eleve.ghost »');
    expect(reason(4)).toContain('n’est pas enseignant dans l’établissement 0560001A');
    expect(reason(5)).toContain('déjà déclaré ligne 1');
    expect(await directoryCounts(database.db)).toEqual(before);
  });
});
