import { ArchiveSearch, AuditQuery } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3 } from '../../../tests/support/s3';
import { type Database, openDatabase } from '../db/Database';
import { searchWords } from '../identity/nameSearch';
import { ArchiveDesk } from './ArchiveDesk';
import { Archiver } from './Archiver';
import { type Auditor, readAudit } from './audit';
import { findPersons, findSpaces, spaceLabels } from './directoryFind';
import { loadArchiveSigner } from './keys';
import { directoryNames } from './names';
import { SampleActivity } from './sampleActivity';

const archivist: Auditor = { id: 'pArch', role: 'archivist' };
const dpo: Auditor = { id: 'pDpo', role: 'dpo' };
const SPACE = 'class_0350042K_3eA';

describe('reading the archive: names, spaces and document changes resolved at read time', () => {
  let database: Database;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let desk: ArchiveDesk;

  beforeAll(async () => {
    [database, s3] = await Promise.all([
      openDatabase({ memory: true }, silentLogger()),
      startTestS3(),
    ]);
    const { db } = database;
    await db
      .insertInto('school')
      .values([
        { uai: '0350042K', name: 'Collège Anne de Bretagne', kind: 'college', town: 'Rennes' },
        { uai: '0290017Y', name: 'Lycée de l’Iroise', kind: 'lycee', town: 'Brest' },
      ])
      .execute();
    await db
      .insertInto('class')
      .values([
        { id: '0350042K_3eA', uai: '0350042K', name: '3e A' },
        { id: '0290017Y_2nde1', uai: '0290017Y', name: '2nde 1' },
      ])
      .execute();
    await db
      .insertInto('person')
      .values([
        { id: 'pTeacher', login: 'prof.durand', given_name: 'Élodie', family_name: 'Durand' },
        { id: 'pLea', login: 'eleve.lea', given_name: 'Léa', family_name: 'Bernard' },
        { id: 'pArch', login: 'archiviste', given_name: 'Anne', family_name: 'Lambert' },
      ])
      .execute();
    await db
      .insertInto('profile')
      .values([
        { person_id: 'pTeacher', uai: '0350042K', kind: 'teacher' },
        { person_id: 'pTeacher', uai: '0290017Y', kind: 'teacher' },
        { person_id: 'pLea', uai: '0350042K', kind: 'student' },
      ])
      .execute();
    const activity = new SampleActivity(db, SPACE, new Date('2026-09-14T08:00:00Z'));
    await activity.createDocs('pTeacher');
    await activity.type('pLea', 'Charlemagne fut couronné en 800.');
    await activity.draw('pLea', 'Donjon');
    await activity.draw('pTeacher', 'Pont-levis');
    await activity.say('pLea', 'Bonjour', 'm1');
    const archiver = new Archiver({
      db,
      objects: s3.store,
      signer: await loadArchiveSigner(db),
      log: silentLogger(),
    });
    await archiver.drain();
    await archiver.close();
    desk = new ArchiveDesk({
      db,
      objects: s3.store,
      signer: () => loadArchiveSigner(db),
      names: directoryNames(db),
    });
  });
  afterAll(async () => {
    await database?.close();
    await s3?.close();
  });

  it('finds spaces and people by part of their name, without accents, with their schools', async () => {
    const { db } = database;
    expect(searchWords('  Léa  BER ')).toEqual(['lea', 'ber']);
    const lea = await findPersons(db, 'lea bern');
    expect(lea.map((p) => p.name)).toEqual(['Léa Bernard']);
    expect(lea[0]!.schools).toEqual([
      { uai: '0350042K', name: 'Collège Anne de Bretagne', kind: 'student' },
    ]);
    // « elodie » finds « Élodie » (an upper-case accent, which lower() leaves alone under C).
    const teacher = await findPersons(db, 'elodie');
    expect(teacher[0]!.schools.map((s) => s.name)).toEqual([
      'Collège Anne de Bretagne',
      'Lycée de l’Iroise',
    ]);
    expect(await findPersons(db, '%')).toEqual([]);
    expect((await findSpaces(db, '3e a')).map((s) => s.id)).toEqual([SPACE]);
    expect((await findSpaces(db, 'iroise')).map((s) => [s.name, s.schools[0]!.name])).toEqual([
      ['2nde 1', 'Lycée de l’Iroise'],
    ]);
    expect((await findSpaces(db, 'rennes'))[0]).toMatchObject({ kind: 'class', name: '3e A' });
    const labels = await spaceLabels(db, [SPACE, 'class_unknown', 'nonsense']);
    expect([...labels.keys()]).toEqual([SPACE]);
  });

  it('shows what each document update changed, the title, and audits the names it shows', async () => {
    const { records } = await desk.search(archivist, ArchiveSearch.parse({ space: SPACE }));
    expect(records.every((r) => r.spaceLabel?.name === '3e A')).toBe(true);
    const updates = records.filter((r) => r.kind === 'doc.update');
    expect(updates.map((r) => r.change)).toEqual([
      {
        doc: 'pad',
        title: 'Exposé sur le Moyen Âge',
        inserted: 32,
        deleted: 0,
        insertedText: 'Charlemagne fut couronné en 800.',
        deletedText: '',
      },
      {
        doc: 'board',
        title: 'Carte mentale',
        added: 1,
        changed: 0,
        removed: 0,
        elements: ['text: Donjon'],
      },
      {
        doc: 'board',
        title: 'Carte mentale',
        added: 1,
        changed: 0,
        removed: 0,
        elements: ['text: Pont-levis'],
      },
    ]);
    const last = (await readAudit(database.db)).at(-1)!;
    expect(last).toMatchObject({
      action: 'search',
      details: { namesResolved: ['pLea', 'pTeacher'] },
    });
    await desk.read(archivist, SPACE, updates[0]!.seq);
    expect((await readAudit(database.db)).at(-1)).toMatchObject({
      action: 'read',
      details: { namesResolved: ['pLea'] },
    });
  });

  it('pages and filters the audit log for the DPO, newest first', async () => {
    for (let i = 0; i < 4; i++) {
      await desk.search(archivist, ArchiveSearch.parse({ person: 'pLea', kind: 'chat.message' }));
    }
    const first = await desk.audit(dpo, AuditQuery.parse({ action: 'search', limit: '3' }));
    expect(first.entries.map((e) => e.action)).toEqual(['search', 'search', 'search']);
    expect(first.newer).toBeNull();
    expect(first.older).toBe(first.entries.at(-1)!.seq);
    const second = await desk.audit(
      dpo,
      AuditQuery.parse({ action: 'search', limit: '3', before: String(first.older) }),
    );
    // Five searches in all: three, then two.
    expect(second.entries).toHaveLength(2);
    expect(second.older).toBeNull();
    expect(second.newer).toBe(second.entries[0]!.seq);
    const back = await desk.audit(
      dpo,
      AuditQuery.parse({ action: 'search', limit: '3', after: String(second.newer) }),
    );
    expect(back.entries.map((e) => e.seq)).toEqual(first.entries.map((e) => e.seq));
    const aboutLea = await desk.audit(dpo, AuditQuery.parse({ concerning: 'pLea', limit: '50' }));
    expect(aboutLea.entries.length).toBe(6);
    expect(aboutLea.names.get('pLea')).toBe('Léa Bernard');
    expect(aboutLea.spaces.get(SPACE)?.name).toBe('3e A');
    const reads = await desk.audit(dpo, AuditQuery.parse({ role: 'dpo' }));
    expect(reads.entries.every((e) => e.action === 'audit.read')).toBe(true);
    expect(reads.entries[0]!.details).toMatchObject({ role: 'dpo', limit: 50 });
  });
});
