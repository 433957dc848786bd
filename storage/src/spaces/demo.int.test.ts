import { ArchiveSearch } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArchiveRig } from '../../../tests/support/archive';
import type { startTestS3 } from '../../../tests/support/s3';
import { ArchiveDesk } from '../archive/ArchiveDesk';
import type { Archiver } from '../archive/Archiver';
import type { Auditor } from '../archive/audit';
import { findSpaces, spaceLabels } from '../archive/directoryFind';
import { loadArchiveSigner } from '../archive/keys';
import { directoryNames } from '../archive/names';
import { personalData } from '../archive/personalData';
import { verifyBundle } from '../archive/verifyBundle';
import { type Database, openDatabase } from '../db/Database';
import { listDocs } from '../docs/documents';
import { storedPadText } from '../docs/sampleDoc';
import { seedDemoDirectory } from '../identity/demo';
import { classIdOf, personIdByLogin, sessionUserOf } from '../identity/directory';
import { DEMO_SPACES, seedDemoSpaces } from './demo';
import { memberRows, spaceClasses } from './spaces';

const archivist: Auditor = { id: 'pArch', role: 'archivist' };
const COLLEGE = 'Collège Anne de Bretagne';
const LYCEE = 'Lycée de l’Iroise';

describe('demo spaces, found, held and exported by the archive (PGlite)', () => {
  let database: Database;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let archiver: Archiver;
  let desk: ArchiveDesk;
  const id = async (login: string) => (await personIdByLogin(database.db, login))!;

  beforeAll(async () => {
    ({ database, s3, archiver } = await startArchiveRig(
      () => openDatabase({ memory: true }, silentLogger()),
      50,
    ));
    const { db } = database;
    desk = new ArchiveDesk({
      db,
      objects: s3.store,
      signer: () => loadArchiveSigner(db),
      names: directoryNames(db),
      drain: () => archiver.drain(),
    });
    expect(await seedDemoDirectory(db)).toBe(true);
  });
  afterAll(async () => {
    await archiver?.close();
    await database?.close();
    await s3?.close();
  });

  it('seeds a work group in each school and a project between them, once', async () => {
    const { db } = database;
    expect(await seedDemoSpaces(db)).toBe(true);
    expect(await seedDemoSpaces(db)).toBe(false);
    const [lea, lucas, martin, robert] = await Promise.all(
      ['eleve.lea.bernard', 'eleve.lucas.garcia', 'prof.martin', 'prof.robert'].map(id),
    );
    const loire = await memberRows(db, DEMO_SPACES.collegeGroup.id);
    expect(loire.map((m) => m.role).sort()).toEqual(['member', 'member', 'owner']);
    expect(loire.map((m) => m.personId)).not.toContain(lea);
    expect(await memberRows(db, DEMO_SPACES.lyceeGroup.id)).toHaveLength(3);
    const [plan] = await listDocs(db, DEMO_SPACES.collegeGroup.id);
    expect(await storedPadText(db, plan!.id)).toContain('plus long fleuve de France');
    const project = await memberRows(db, DEMO_SPACES.project.id);
    expect(project.find((m) => m.personId === martin)?.role).toBe('owner');
    expect(project.find((m) => m.personId === robert)?.role).toBe('teacher');
    // Students of both classes brought in are members too.
    expect(project.filter((m) => m.role === 'student').length).toBe(32);
    expect(
      (await spaceClasses(db, DEMO_SPACES.project.id)).map((c) => [c.name, c.schoolName]),
    ).toEqual([
      ['3e A', COLLEGE],
      ['1re G2', LYCEE],
    ]);
    const carnet = await memberRows(db, DEMO_SPACES.projectGroup.id);
    expect(carnet.map((m) => m.personId).sort()).toEqual([lea, lucas].sort());
    const [pad] = await listDocs(db, DEMO_SPACES.projectGroup.id);
    expect(await storedPadText(db, pad!.id)).toContain('pont de Recouvrance');
    // Each work group and the project have a chat that already says something.
    for (const [space, n] of [
      [DEMO_SPACES.collegeGroup.id, 3],
      [DEMO_SPACES.lyceeGroup.id, 3],
      [DEMO_SPACES.project.id, 2],
    ] as const) {
      const said = await db
        .selectFrom('live_chat_message')
        .select(['text', 'session_id'])
        .where('space_id', '=', space)
        .execute();
      expect(said).toHaveLength(n);
      expect(said.every((m) => m.session_id === null)).toBe(true);
    }
    // The lycée has its CPE.
    const cpe = await sessionUserOf(db, await id('cpe.riou'));
    expect(cpe?.profiles).toEqual([{ uai: '0290017Y', kind: 'staff' }]);
  });

  it('adds a later demo account to a directory seeded before it', async () => {
    const { db } = database;
    await db.deleteFrom('person').where('login', '=', 'cpe.riou').execute();
    expect(await seedDemoSpaces(db)).toBe(false);
    expect(await personIdByLogin(db, 'cpe.riou')).toBe('p_demooud6zahuqq');
  });

  it('finds groups and projects by name, kind or school, with their schools', async () => {
    const { db } = database;
    const loire = await findSpaces(db, 'exposé loire');
    expect(loire).toEqual([
      {
        id: DEMO_SPACES.collegeGroup.id,
        kind: 'group',
        name: 'Exposé sur la Loire',
        schools: [{ uai: '0350042K', name: COLLEGE }],
      },
    ]);
    expect((await findSpaces(db, 'groupe de travail anne bretagne')).map((s) => s.id)).toEqual([
      DEMO_SPACES.projectGroup.id,
      DEMO_SPACES.collegeGroup.id,
    ]);
    const [project] = await findSpaces(db, 'projet inter-établissements');
    expect(project).toMatchObject({ id: DEMO_SPACES.project.id, kind: 'project' });
    expect(project!.schools.map((s) => s.name)).toEqual([COLLEGE, LYCEE]);
    // Many classes of a school do not hide its groups.
    const rennes = await findSpaces(db, 'rennes', 3);
    expect(rennes.map((s) => s.kind)).toEqual(['class', 'group', 'project']);
    const labels = await spaceLabels(db, [
      DEMO_SPACES.projectGroup.id,
      'group_unknown',
      `class_${classIdOf('0350042K', '3e A')}`,
    ]);
    expect(labels.get(DEMO_SPACES.projectGroup.id)?.schools.map((s) => s.name)).toEqual([
      COLLEGE,
      LYCEE,
    ]);
    expect(labels.size).toBe(2);
  });

  it('searches, holds and exports a group’s case; the bundle verifies', async () => {
    const space = DEMO_SPACES.projectGroup.id;
    await archiver.drain();
    const { records } = await desk.search(archivist, ArchiveSearch.parse({ space }));
    expect(records.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['space.created', 'invitation.sent', 'doc.update']),
    );
    expect(records.every((r) => r.spaceLabel?.name === DEMO_SPACES.projectGroup.name)).toBe(true);
    const kase = await desk.openCase(archivist, {
      reference: 'GRP-1',
      legalBasis: 'Réquisition',
      authority: 'Parquet de Brest',
      description: '',
    });
    await desk.placeHold(archivist, kase.id, { space, from: undefined, until: undefined });
    const { bytes, view } = await desk.export(archivist, kase.id, []);
    expect(view.records).toBe(records.length);
    const files = unzipSync(bytes);
    const docs = Object.keys(files).filter((f) => f.startsWith(`documents/${space}/`));
    expect(docs).toHaveLength(1);
    expect(new TextDecoder().decode(files[docs[0]!]!)).toContain('pont de Recouvrance');
    const csv = new TextDecoder().decode(files['records.csv']!);
    expect(csv).toContain('invitation.answered');
    const check = verifyBundle(bytes);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it('gives a person their spaces, invitations and reports in their own data', async () => {
    const { db } = database;
    const lea = await id('eleve.lea.bernard');
    const { bytes } = await personalData(
      { db, objects: s3.store, names: directoryNames(db), drain: () => archiver.drain() },
      lea,
    );
    const files = unzipSync(bytes);
    const spaces = JSON.parse(new TextDecoder().decode(files['spaces.json']!));
    expect(spaces.map((s: { name: string }) => s.name)).toEqual(
      expect.arrayContaining([
        '3e A',
        'Correspondance Rennes – Brest',
        'Carnet de voyage Loire – Iroise',
      ]),
    );
    expect(spaces.find((s: { id: string }) => s.id === DEMO_SPACES.projectGroup.id)).toMatchObject({
      kind: 'group',
      role: 'owner',
      school: COLLEGE,
    });
    expect(spaces.find((s: { id: string }) => s.id === DEMO_SPACES.project.id)).toMatchObject({
      kind: 'project',
      role: 'student',
      through: '3e A',
    });
    const invitations = JSON.parse(new TextDecoder().decode(files['invitations.json']!));
    expect(invitations.sent).toHaveLength(1);
    expect(invitations.received).toEqual([]);
    expect(JSON.parse(new TextDecoder().decode(files['reports.json']!))).toEqual([]);
  });
});
