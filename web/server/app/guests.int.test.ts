import { silentLogger } from '@preau/protocol/server';
import {
  createWebSession,
  type Database,
  findWebSession,
  MemoryFanout,
  openDatabase,
  readOutbox,
  seedDemoDirectory,
  sessionUserOf,
} from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpaceAccess } from './access';
import { GuestsService } from './guests';
import { InvitationsService } from './invitations';
import { SpacesService } from './spaces';
import { demoPeople, refusal } from './testing';

const COLLEGE = '0350042K';
const LYCEE = '0290017Y';

/** A date `days` from now, as the guest form sends it. */
const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe('guests of a project, staff oversight and classes to bring (PGlite)', () => {
  let database: Database;
  let access: SpaceAccess;
  let spaces: SpacesService;
  let invitations: InvitationsService;
  let guests: GuestsService;

  const user = (login: string) => demoPeople(database.db).user(login);
  const code = refusal;

  beforeAll(async () => {
    database = await openDatabase({ memory: true }, silentLogger());
    await seedDemoDirectory(database.db);
    access = new SpaceAccess(database.db);
    spaces = new SpacesService({
      db: database.db,
      access,
      fanout: new MemoryFanout(),
      notify: async () => {},
      log: silentLogger(),
    });
    invitations = new InvitationsService({ db: database.db, access, spaces });
    guests = new GuestsService({
      db: database.db,
      access,
      openSession: (personId, until) =>
        createWebSession(database.db, {
          personId,
          idToken: null,
          ttlSeconds: Math.floor((until.getTime() - Date.now()) / 1000),
        }),
      log: silentLogger(),
    });
  });
  afterAll(async () => {
    await database.close();
  });

  it('creates a guest who signs in with their link and sees only the project', async () => {
    const martin = await user('prof.martin');
    const project = await spaces.create(martin, { kind: 'project', name: 'Résidence d’artiste' });
    const other = await spaces.create(martin, { kind: 'project', name: 'Autre projet' });
    const created = await guests.create(martin, project.id, {
      givenName: 'Jeanne',
      familyName: 'Peintre',
      until: inDays(30),
    });
    expect(created.displayName).toBe('Jeanne Peintre');
    const secret = created.link.replace('/invite/', '');
    // Only the hash is kept.
    const row = await database.db
      .selectFrom('space_guest')
      .selectAll()
      .where('person_id', '=', created.personId)
      .executeTakeFirstOrThrow();
    expect(row.link_hash).not.toContain(secret);
    const person = await database.db
      .selectFrom('person')
      .select('login')
      .where('id', '=', created.personId)
      .executeTakeFirstOrThrow();
    expect(person.login).toMatch(/^invite\./);
    expect((await readOutbox(database.db, project.id)).map((r) => r.kind)).toContain(
      'guest.created',
    );

    expect(await guests.check(secret)).toBe('valid');
    expect(await guests.check('nope')).toBe('unknown');
    const session = await guests.signIn(secret);
    expect(session.spaceId).toBe(project.id);
    expect(session.expiresAt.getTime()).toBeLessThanOrEqual(
      new Date(`${inDays(30)}T23:59:59Z`).getTime(),
    );
    const found = await findWebSession(database.db, session.secret);
    const guest = (await sessionUserOf(database.db, found!.personId))!;
    expect(guest.profiles).toEqual([{ uai: COLLEGE, kind: 'guest' }]);
    expect(await access.rights(guest, project.id)).toEqual(['read', 'write', 'present']);
    expect((await spaces.mine(guest)).map((s) => s.id)).toEqual([project.id]);
    expect(await code(spaces.get(guest, other.id))).toMatchObject({ code: 'not_found' });

    // Removing the guest ends their access; the link then leads nowhere.
    await spaces.remove(martin, project.id, created.personId);
    expect(await access.rights(guest, project.id)).toEqual([]);
    expect(await guests.check(secret)).toBe('unknown');
    expect(await code(guests.signIn(secret))).toMatchObject({ code: 'not_found' });
  });

  it('refuses end dates in the past or beyond a year, work groups, and non-teachers', async () => {
    const martin = await user('prof.martin');
    const project = await spaces.create(martin, { kind: 'project', name: 'Bornes' });
    const guest = { givenName: 'A', familyName: 'B' };
    expect(
      await code(guests.create(martin, project.id, { ...guest, until: inDays(-2) })),
    ).toMatchObject({ code: 'bad_request', issues: [{ path: 'until' }] });
    expect(
      await code(guests.create(martin, project.id, { ...guest, until: inDays(400) })),
    ).toMatchObject({ code: 'bad_request', issues: [{ path: 'until' }] });
    const group = await spaces.create(martin, { kind: 'group', name: 'Pas un projet' });
    expect(
      await code(guests.create(martin, group.id, { ...guest, until: inDays(3) })),
    ).toMatchObject({ code: 'bad_request' });
    expect(
      await code(
        guests.create(await user('prof.thomas'), project.id, { ...guest, until: inDays(3) }),
      ),
    ).toMatchObject({ code: 'not_found' });
  });

  it('says an expired link is expired and opens no session with it', async () => {
    const martin = await user('prof.martin');
    const project = await spaces.create(martin, { kind: 'project', name: 'Passé' });
    const created = await guests.create(martin, project.id, {
      givenName: 'Paul',
      familyName: 'Ancien',
      until: inDays(2),
    });
    await database.db
      .updateTable('space_guest')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('person_id', '=', created.personId)
      .execute();
    const secret = created.link.replace('/invite/', '');
    expect(await guests.check(secret)).toBe('expired');
    expect(await code(guests.signIn(secret))).toMatchObject({ code: 'session_ended' });
  });

  it('lists the school’s groups for staff with leader and count; offers the classes a teacher may bring', async () => {
    const lea = await user('eleve.lea.bernard');
    const cpe = await user('cpe.girard');
    const group = await spaces.create(lea, { kind: 'group', name: 'Exposé sur la Loire' });
    const seen = (await spaces.oversight(cpe)).find((s) => s.id === group.id);
    expect(seen).toMatchObject({ ownerName: lea.name, memberCount: 1, state: 'active' });

    const martin = await user('prof.martin');
    const robert = await user('prof.robert');
    const project = await spaces.create(martin, { kind: 'project', name: 'Classes' });
    const before = await spaces.bringable(martin, project.id);
    expect(before.length).toBeGreaterThan(0);
    await spaces.addClass(martin, project.id, before[0]!.classId);
    const after = await spaces.bringable(martin, project.id);
    expect(after.map((c) => c.classId)).not.toContain(before[0]!.classId);
    expect(await code(spaces.bringable(robert, project.id))).toMatchObject({ code: 'not_found' });
    const [inv] = await invitations.invite(martin, project.id, [robert.id]);
    await invitations.answer(robert, inv!.id, true);
    expect((await spaces.bringable(robert, project.id)).map((c) => c.classId)).toEqual([
      `${LYCEE}_1reG2`,
    ]);
  });
});
