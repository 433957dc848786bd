import { createHash } from 'node:crypto';
import { classSpaceId, type SessionUser, StartSessionRequest } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import {
  type Database,
  findDocFile,
  getSession,
  MemoryFanout,
  MemoryObjectStore,
  openDatabase,
  seedDemoDirectory,
} from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpaceAccess } from './access';
import { DocumentsService } from './documents';
import { InvitationsService } from './invitations';
import { LiveService } from './live';
import { Notifier } from './notifier';
import { SpacesService } from './spaces';
import { demoPeople, refusal } from './testing';

const COLLEGE = '0350042K';
const title = (s: { kind: string; name: string }) =>
  s.kind === 'class' ? `Cours — ${s.name}` : `Salon — ${s.name}`;

describe('live sessions and documents in every kind of space (PGlite)', () => {
  let database: Database;
  let spaces: SpacesService;
  let invitations: InvitationsService;
  let live: LiveService;
  let documents: DocumentsService;
  let notifier: Notifier;
  const fanout = new MemoryFanout();
  const code = async (p: Promise<unknown>) => (await refusal(p))?.code ?? null;
  /** A work group of `owner` with `member` in it (invited, accepted). */
  const groupOf = async (owner: SessionUser, member: SessionUser, name: string) => {
    const group = await spaces.create(owner, { kind: 'group', name });
    const [invitation] = await invitations.invite(owner, group.id, [member.id]);
    await invitations.answer(member, invitation!.id, true);
    return group;
  };

  const user = (login: string) => demoPeople(database.db).user(login);
  const studentOf = (classId: string, n: number) => demoPeople(database.db).studentOf(classId, n);

  beforeAll(async () => {
    database = await openDatabase({ memory: true }, silentLogger());
    await seedDemoDirectory(database.db);
    const access = new SpaceAccess(database.db);
    notifier = new Notifier(fanout, silentLogger());
    spaces = new SpacesService({
      db: database.db,
      access,
      fanout,
      notify: (n) => notifier.notify(n),
      log: silentLogger(),
    });
    invitations = new InvitationsService({ db: database.db, access, spaces });
    live = new LiveService({ db: database.db, access, spaces, fanout, log: silentLogger() });
    documents = new DocumentsService({ db: database.db, access, objects: new MemoryObjectStore() });
  });
  afterAll(async () => {
    await notifier.close();
    await database.close();
  });

  it('lets a work group’s member open its salon without a teacher; others join the same one', async () => {
    const lea = await user('eleve.lea.bernard');
    const mate = await studentOf(`${COLLEGE}_3eA`, 3);
    const group = await groupOf(lea, mate, 'Exposé sur la Loire');
    const started = await live.start(mate, { space: group.id }, title);
    expect(started.created).toBe(true);
    expect(started.session).toMatchObject({
      space: group.id,
      classId: null,
      title: 'Salon — Exposé sur la Loire',
    });
    // No teacher in a salon: whoever may present shares a screen from the start.
    expect((await getSession(database.db, started.session.sessionId))?.studentScreenShare).toBe(
      true,
    );
    const again = await live.start(lea, { space: group.id }, title);
    expect(again).toMatchObject({
      created: false,
      session: { sessionId: started.session.sessionId },
    });
    const room = await live.room(lea, group.id, started.session.sessionId);
    expect(room.moderator).toBe(true); // the owner moderates
    expect(Object.keys(room.roster).sort()).toEqual([lea.id, mate.id].sort());
    expect((await live.room(mate, group.id, started.session.sessionId)).moderator).toBe(false);
    // A member ends nobody's salon but their own.
    expect(
      await code(
        live.start(
          await studentOf(`${COLLEGE}_3eA`, 3),
          { space: group.id, replace: started.session.sessionId },
          title,
        ),
      ),
    ).toBeNull();
    // Attendance is the moderators': every member listed, with their role.
    const sheet = (await live.attendance(lea, group.id, started.session.sessionId)).sheet;
    expect(sheet.lines.map((l) => l.role).sort()).toEqual(['member', 'owner']);
    expect(await code(live.attendance(mate, group.id, started.session.sessionId))).toBe(
      'forbidden',
    );
    // Someone of another school does not even learn the group exists.
    const ines = await user('eleve.ines.moreau');
    expect(await code(live.start(ines, { space: group.id }, title))).toBe('not_found');
    expect(await code(live.room(ines, group.id, started.session.sessionId))).toBe('not_found');
    expect(await code(live.overview(ines, group.id))).toBe('not_found');
    // A session is reached only under its own space.
    const other = await spaces.create(lea, { kind: 'group', name: 'Autre groupe' });
    expect(await code(live.room(lea, other.id, started.session.sessionId))).toBe('not_found');
  });

  it('follows the school: no student salons means only owners and teachers open one', async () => {
    const cpe = await user('cpe.girard');
    const hugo = await user('eleve.hugo.petit');
    const mate = await studentOf(`${COLLEGE}_4eB`, 2);
    const group = await groupOf(hugo, mate, 'Révisions de sciences');
    await spaces.putSettings(cpe, COLLEGE, {
      studentsCreateGroups: true,
      maxGroupMembers: 30,
      maxGroupsPerStudent: 10,
      studentSalons: false,
    });
    try {
      expect(await code(live.start(mate, { space: group.id }, title))).toBe('forbidden');
      expect((await live.overview(mate, group.id)).canStart).toBe(false);
      expect((await live.overview(hugo, group.id)).canStart).toBe(true);
      expect((await live.start(hugo, { space: group.id }, title)).created).toBe(true);
    } finally {
      await spaces.putSettings(cpe, COLLEGE, {
        studentsCreateGroups: true,
        maxGroupMembers: 30,
        maxGroupsPerStudent: 10,
        studentSalons: true,
      });
    }
  });

  it('refuses a live session and new documents in an archived space, keeps it readable', async () => {
    const lea = await user('eleve.lea.bernard');
    const mate = await studentOf(`${COLLEGE}_3eA`, 4);
    const group = await groupOf(lea, mate, 'Groupe terminé');
    const pad = await documents.create(mate, { space: group.id, kind: 'pad', title: 'Notes' });
    await spaces.setState(lea, group.id, 'archived');
    expect(await code(live.start(lea, { space: group.id }, title))).toBe('conflict');
    expect((await live.overview(lea, group.id)).canStart).toBe(false);
    expect(
      await code(documents.create(lea, { space: group.id, kind: 'board', title: 'Tableau' })),
    ).toBe('forbidden');
    const grant = await documents.get(mate, pad.id);
    expect(grant).toMatchObject({ canEdit: false, canRestore: false });
    expect((await documents.list(mate, group.id)).map((d) => d.id)).toEqual([pad.id]);
  });

  it('keeps a class’s live lesson for its teachers, keyed by the class’s space (or its former classId)', async () => {
    const teacher = await user('prof.martin');
    const student = await studentOf(`${COLLEGE}_3eA`, 0);
    const legacy = StartSessionRequest.parse({ classId: `${COLLEGE}_3eA` });
    expect(legacy).toEqual({ space: classSpaceId(`${COLLEGE}_3eA`) });
    expect(await code(live.start(student, legacy, title))).toBe('forbidden');
    const { session, created } = await live.start(teacher, legacy, title);
    expect(created).toBe(true);
    expect(session).toMatchObject({ classId: `${COLLEGE}_3eA`, title: 'Cours — 3e A' });
    expect((await getSession(database.db, session.sessionId))?.studentScreenShare).toBe(false);
    expect((await live.openIn(student, [session.space])).map((s) => s.sessionId)).toEqual([
      session.sessionId,
    ]);
    const outsider = await user('eleve.ines.moreau');
    expect(await live.openIn(outsider, [session.space])).toEqual([]);
    expect(await code(live.room(outsider, session.space, session.sessionId))).toBe('forbidden');
  });

  it('lets a group’s documents be managed by their creator and its owners only', async () => {
    const lea = await user('eleve.lea.bernard');
    const mate = await studentOf(`${COLLEGE}_3eA`, 5);
    const group = await groupOf(lea, mate, 'Journal du collège');
    const pad = await documents.create(lea, { space: group.id, kind: 'pad', title: 'Édito' });
    const board = await documents.create(mate, { space: group.id, kind: 'board', title: 'Plan' });
    const view = await documents.ofSpace(mate, group.id);
    expect(view.canCreate).toBe(true);
    expect(Object.fromEntries(view.docs.map((d) => [d.title, d.canManage]))).toEqual({
      Édito: false,
      Plan: true,
    });
    expect(await code(documents.update(mate, pad.id, { title: 'Mon édito' }))).toBe('forbidden');
    expect((await documents.update(mate, board.id, { title: 'Plan v2' })).title).toBe('Plan v2');
    expect((await documents.update(lea, board.id, { archived: true })).archived).toBe(true);
    // Acting through another space's page is refused.
    const other = await spaces.create(lea, { kind: 'group', name: 'Ailleurs' });
    expect(await code(documents.update(lea, pad.id, { title: 'X' }, other.id))).toBe('not_found');
    const ines = await user('eleve.ines.moreau');
    expect(await code(documents.get(ines, pad.id))).toBe('not_found');
    expect(await code(documents.list(ines, group.id))).toBe('not_found');
    // Staff see the group, never its content.
    const cpe = await user('cpe.girard');
    expect(await code(documents.list(cpe, group.id))).toBe('forbidden');
  });

  it('traces an image placed in a pad with the SHA-256 of its bytes, with the row', async () => {
    const lea = await user('eleve.lea.bernard');
    const mate = await studentOf(`${COLLEGE}_3eA`, 6);
    const group = await groupOf(lea, mate, 'Album photo');
    const pad = await documents.create(mate, { space: group.id, kind: 'pad', title: 'Sortie' });
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const image = await documents.addImage(mate, pad.id, 'image/png', async () => bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const trace = await database.db
      .selectFrom('trace_outbox')
      .select(['kind', 'actor', 'subject', 'payload'])
      .where('space_id', '=', group.id)
      .where('kind', '=', 'doc.file.added')
      .executeTakeFirstOrThrow();
    const payload = typeof trace.payload === 'string' ? JSON.parse(trace.payload) : trace.payload;
    expect(trace).toMatchObject({ actor: mate.id, subject: image.id });
    expect(payload).toMatchObject({ doc: pad.id, docKind: 'pad', size: 11, sha256 });
    expect(await findDocFile(database.db, pad.id, image.id)).toMatchObject({ sha256 });
    expect((await documents.image(lea, pad.id, image.id)).body).toEqual(bytes);
    // Refused uploads leave neither a row nor a trace.
    expect(
      await code(documents.addImage(mate, pad.id, 'image/png', async () => new Uint8Array([1, 2]))),
    ).toBe('bad_request');
    const traced = await database.db
      .selectFrom('trace_outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('space_id', '=', group.id)
      .where('kind', '=', 'doc.file.added')
      .executeTakeFirstOrThrow();
    expect(Number(traced.n)).toBe(1);
  });
});
