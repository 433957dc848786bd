import { classSpaceId, type Notification } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import {
  type Database,
  MemoryFanout,
  openDatabase,
  readOutbox,
  seedDemoDirectory,
} from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpaceAccess } from './access';
import { InvitationsService } from './invitations';
import { Notifier } from './notifier';
import { SpacesService } from './spaces';
import { demoPeople, refusal } from './testing';

const COLLEGE = '0350042K';
const LYCEE = '0290017Y';

describe('spaces: groups, projects, invitations and the one access check (PGlite)', () => {
  let database: Database;
  let access: SpaceAccess;
  let spaces: SpacesService;
  let invitations: InvitationsService;
  let notifier: Notifier;
  const fanout = new MemoryFanout();
  const code = refusal;

  const user = (login: string) => demoPeople(database.db).user(login);
  const studentOf = (classId: string, n: number) => demoPeople(database.db).studentOf(classId, n);

  beforeAll(async () => {
    database = await openDatabase({ memory: true }, silentLogger());
    await seedDemoDirectory(database.db);
    access = new SpaceAccess(database.db);
    notifier = new Notifier(fanout, silentLogger());
    spaces = new SpacesService({
      db: database.db,
      access,
      fanout,
      notify: (n) => notifier.notify(n),
      log: silentLogger(),
    });
    invitations = new InvitationsService({ db: database.db, access, spaces });
  });
  afterAll(async () => {
    await notifier.close();
    await database.close();
  });

  it('gives a class’s teachers and students their rights, and no one else any', async () => {
    const space = classSpaceId(`${COLLEGE}_3eA`);
    expect(await access.rights(await user('prof.martin'), space)).toEqual([
      'read',
      'write',
      'moderate',
      'present',
    ]);
    expect(await access.rights(await user('eleve.lea.bernard'), space)).toEqual([
      'read',
      'write',
      'present',
    ]);
    for (const login of [
      'archiviste',
      'dpo',
      'admin',
      'prof.thomas',
      'eleve.hugo.petit',
      'cpe.girard',
    ])
      expect(await access.rights(await user(login), space)).toEqual([]);
    // Staff see the class (its roster), never its content.
    const cpe = (await access.check(await user('cpe.girard'), [space])).get(space)!;
    expect(cpe.permissions).toEqual(['see']);
    expect(await access.rights(await user('prof.martin'), 'class_nope')).toEqual([]);
    expect(await access.rights(await user('prof.martin'), 'not a space')).toEqual([]);
  });

  it('lets a student make a group, invite a classmate who is notified and joins in one click', async () => {
    const lea = await user('eleve.lea.bernard');
    const mate = await studentOf(`${COLLEGE}_3eA`, 3);
    const received: Notification[] = [];
    const stop = await notifier.listen(mate.id, (n) => received.push(n));
    const group = await spaces.create(lea, { kind: 'group', name: 'Exposé sur la Loire' });
    expect(group).toMatchObject({ kind: 'group', uai: COLLEGE, role: 'owner', state: 'active' });
    expect(group.permissions).toEqual(expect.arrayContaining(['invite', 'manage', 'own', 'salon']));

    const found = await invitations.invitees(lea, group.id, mate.name.split(' ')[0]!);
    expect(found.find((c) => c.personId === mate.id)).toMatchObject({ reason: 'class' });
    // Typed without accents nor case, it still finds them.
    const typed = mate.name
      .split(' ')[0]!
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toUpperCase();
    expect((await invitations.invitees(lea, group.id, typed)).map((c) => c.personId)).toContain(
      mate.id,
    );
    // A wide search shows at most 20, classmates first, never the inviter.
    const wide = await invitations.invitees(lea, group.id, 'e');
    expect(wide.length).toBeLessThanOrEqual(20);
    expect(wide.map((c) => c.personId)).not.toContain(lea.id);
    const reasons = wide.map((c) => c.reason);
    expect(
      reasons.indexOf('school') === -1 || reasons.lastIndexOf('class') < reasons.indexOf('school'),
    ).toBe(true);
    expect(reasons[0]).toBe('class');
    // Someone of another school is not offered (no shared project yet).
    const ines = await user('eleve.ines.moreau');
    expect(await invitations.invitees(lea, group.id, 'Moreau')).not.toContainEqual(
      expect.objectContaining({ personId: ines.id }),
    );
    expect(await code(invitations.invite(lea, group.id, [ines.id]))).toMatchObject({
      code: 'forbidden',
    });

    const [invitation] = await invitations.invite(lea, group.id, [mate.id]);
    await expect.poll(() => received.map((n) => n.type)).toEqual(['invitation']);
    expect((await invitations.invitations(mate)).map((i) => i.id)).toEqual([invitation!.id]);
    // Not a member yet: the group stays hidden from them.
    expect(await code(spaces.get(mate, group.id))).toMatchObject({ code: 'not_found' });
    const joined = await invitations.answer(mate, invitation!.id, true);
    expect(joined).toMatchObject({ id: group.id, role: 'member' });
    expect(await access.rights(mate, group.id)).toEqual(['read', 'write', 'present']);
    expect(await code(invitations.answer(mate, invitation!.id, true))).toMatchObject({
      code: 'not_found',
    });
    stop();

    // An outsider learns nothing; another school's student neither.
    for (const outsider of [ines, await user('prof.thomas'), await user('archiviste')]) {
      expect(await code(spaces.get(outsider, group.id))).toMatchObject({ code: 'not_found' });
      expect(await access.rights(outsider, group.id)).toEqual([]);
    }
    const kinds = (await readOutbox(database.db, group.id)).map((r) => r.kind);
    expect(kinds).toEqual([
      'space.created',
      'membership.changed',
      'invitation.sent',
      'invitation.answered',
      'membership.changed',
    ]);
    expect((await spaces.members(lea, group.id)).map((m) => m.role)).toEqual(['owner', 'member']);
  });

  it('hands over ownership, lets members leave, and the owner archives (read-only)', async () => {
    const lea = await user('eleve.lea.bernard');
    const [a, b] = [await studentOf(`${COLLEGE}_3eA`, 4), await studentOf(`${COLLEGE}_3eA`, 5)];
    const group = await spaces.create(lea, { kind: 'group', name: 'Club lecture' });
    for (const s of [a, b]) {
      const [inv] = await invitations.invite(lea, group.id, [s.id]);
      await invitations.answer(s, inv!.id, true);
    }
    expect(await code(spaces.remove(a, group.id, b.id))).toMatchObject({ code: 'forbidden' });
    await spaces.setRole(lea, group.id, a.id, 'coowner');
    await spaces.remove(a, group.id, b.id);
    expect(await code(spaces.remove(lea, group.id, lea.id))).toMatchObject({ code: 'conflict' });
    await spaces.setRole(lea, group.id, a.id, 'owner');
    expect((await spaces.get(lea, group.id)).role).toBe('coowner');
    await spaces.remove(lea, group.id, lea.id); // Léa leaves
    expect(await code(spaces.get(lea, group.id))).toMatchObject({ code: 'not_found' });
    const archived = await spaces.setState(a, group.id, 'archived');
    expect(archived.state).toBe('archived');
    expect(await access.rights(a, group.id)).toEqual(['read']);
  });

  it('lets staff see and suspend their school’s groups, never read them', async () => {
    const lea = await user('eleve.lea.bernard');
    const cpe = await user('cpe.girard');
    const mate = await studentOf(`${COLLEGE}_3eA`, 6);
    const group = await spaces.create(lea, { kind: 'group', name: 'Révisions' });
    const [inv] = await invitations.invite(lea, group.id, [mate.id]);
    await invitations.answer(mate, inv!.id, true);
    const overseen = await spaces.overseen(cpe);
    expect(overseen.map((s) => s.id)).toContain(group.id);
    expect((await spaces.members(cpe, group.id)).map((m) => m.personId)).toContain(mate.id);
    expect(await access.rights(cpe, group.id)).toEqual([]);
    // The owner cannot lift what staff decided.
    await spaces.setState(cpe, group.id, 'suspended', 'messages insultants');
    expect(await access.rights(mate, group.id)).toEqual(['read']);
    expect(await code(spaces.setState(lea, group.id, 'active'))).toMatchObject({
      code: 'forbidden',
    });
    await spaces.setState(cpe, group.id, 'active');
    expect(await access.rights(mate, group.id)).toEqual(['read', 'write', 'present']);
    // A staff member of another school sees nothing.
    expect(
      await code(spaces.setState(await user('prof.thomas'), group.id, 'suspended')),
    ).toMatchObject({ code: 'not_found' });
  });

  it('enforces the bounds a school sets, with the bound named in the error', async () => {
    const cpe = await user('cpe.girard');
    const hugo = await user('eleve.hugo.petit');
    const mates = [1, 2, 3].map((n) => studentOf(`${COLLEGE}_4eB`, n));
    await spaces.putSettings(cpe, COLLEGE, {
      studentsCreateGroups: true,
      maxGroupMembers: 2,
      maxGroupsPerStudent: 10,
      studentSalons: false,
    });
    const group = await spaces.create(hugo, { kind: 'group', name: 'Petit groupe' });
    expect(group.permissions).toContain('salon'); // the owner keeps the salon
    const [m1, m2] = [await mates[0]!, await mates[1]!];
    const [inv] = await invitations.invite(hugo, group.id, [m1.id]);
    expect(await code(invitations.invite(hugo, group.id, [m2.id]))).toEqual({
      code: 'conflict',
      issues: [{ path: 'maxGroupMembers', message: '2' }],
    });
    await invitations.answer(m1, inv!.id, true);
    // A plain member may not open the salon when the school forbids it.
    expect((await spaces.get(m1, group.id)).permissions).not.toContain('salon');
    await spaces.putSettings(cpe, COLLEGE, {
      studentsCreateGroups: false,
      maxGroupMembers: 30,
      maxGroupsPerStudent: 10,
      studentSalons: true,
    });
    expect(await code(spaces.create(hugo, { kind: 'group', name: 'Encore' }))).toMatchObject({
      code: 'forbidden',
      issues: [{ path: 'studentsCreateGroups' }],
    });
    expect(
      await code(spaces.putSettings(hugo, COLLEGE, await spaces.settings(cpe, COLLEGE))),
    ).toMatchObject({ code: 'forbidden' });
    await spaces.putSettings(cpe, COLLEGE, {
      studentsCreateGroups: true,
      maxGroupMembers: 30,
      maxGroupsPerStudent: 10,
      studentSalons: true,
    });
  });

  it('opens a project across schools: teachers invited, classes brought, cross-school groups', async () => {
    const martin = await user('prof.martin');
    const robert = await user('prof.robert');
    const project = await spaces.create(martin, { kind: 'project', name: 'Correspondance' });
    // The search across schools offers teachers only, with their school.
    const found = await invitations.invitees(martin, project.id, 'Robert');
    expect(found).toEqual([
      expect.objectContaining({
        personId: robert.id,
        kind: 'teacher',
        schoolName: expect.any(String),
      }),
    ]);
    // A student of another school is not offered; one of the teacher's own students is.
    expect(await invitations.invitees(martin, project.id, 'Garcia')).toEqual([]);
    const hugo = await user('eleve.hugo.petit');
    expect(await invitations.invitees(martin, project.id, 'Hugo Petit')).toEqual([
      expect.objectContaining({ personId: hugo.id, kind: 'student', reason: 'class' }),
    ]);
    const sent = await invitations.invite(martin, project.id, [robert.id, hugo.id]);
    const inv = sent.find((i) => i.personId === robert.id);
    const chosen = sent.find((i) => i.personId === hugo.id);
    expect((await invitations.answer(robert, inv!.id, true))?.role).toBe('teacher');
    expect((await invitations.answer(hugo, chosen!.id, true))?.role).toBe('student');
    // A teacher brings a class they teach, and only such a class.
    expect(await code(spaces.addClass(robert, project.id, `${COLLEGE}_3eA`))).toMatchObject({
      code: 'forbidden',
    });
    await spaces.addClass(robert, project.id, `${LYCEE}_1reG2`);
    await spaces.addClass(martin, project.id, `${COLLEGE}_3eA`);
    const lucas = await user('eleve.lucas.garcia');
    const lea = await user('eleve.lea.bernard');
    expect(await access.rights(lucas, project.id)).toEqual(['read', 'write', 'present']);
    const members = await spaces.members(martin, project.id);
    expect(new Set(members.map((m) => m.schoolName)).size).toBe(2);
    // Inside the project, a student makes a group with a student of the other school.
    const group = await spaces.create(lea, {
      kind: 'group',
      name: 'Binôme',
      projectId: project.id,
    });
    const offered = await invitations.invitees(lea, group.id, 'Garcia');
    expect(offered).toContainEqual(
      expect.objectContaining({ personId: lucas.id, reason: 'project' }),
    );
    const [g] = await invitations.invite(lea, group.id, [lucas.id]);
    await invitations.answer(lucas, g!.id, true);
    expect(await access.rights(lucas, group.id)).toEqual(['read', 'write', 'present']);
    // The project's teachers know the group exists; outsiders know nothing of either.
    expect((await spaces.groupsOfProject(robert, project.id)).map((s) => s.id)).toEqual([group.id]);
    const outsider = await user('prof.thomas');
    expect(await code(spaces.get(outsider, project.id))).toMatchObject({ code: 'not_found' });
    expect(await code(spaces.groupsOfProject(outsider, project.id))).toMatchObject({
      code: 'not_found',
    });
  });

  it('makes a teaching group of one school’s classes, taught by its teacher', async () => {
    const dubois = await user('prof.dubois');
    const group = await spaces.create(dubois, {
      kind: 'teaching',
      name: 'Spécialité SES',
      uai: COLLEGE,
    });
    expect(group).toMatchObject({ kind: 'teaching', role: 'teacher' });
    expect(await code(spaces.addClass(dubois, group.id, `${LYCEE}_2nde1`))).toMatchObject({
      code: 'bad_request',
    });
    await spaces.addClass(dubois, group.id, `${COLLEGE}_4eB`);
    const hugo = await user('eleve.hugo.petit');
    expect(await access.rights(hugo, group.id)).toEqual(['read', 'write', 'present']);
    expect(await access.rights(await user('eleve.lea.bernard'), group.id)).toEqual([]);
  });
});
