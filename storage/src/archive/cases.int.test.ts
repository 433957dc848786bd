import { PreauError } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArchiveRig } from '../../../tests/support/archive';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import type { startTestS3 } from '../../../tests/support/s3';
import { type Database, openDatabase } from '../db/Database';
import { ArchiveDesk } from './ArchiveDesk';
import type { Archiver } from './Archiver';
import type { Auditor } from './audit';
import { readAudit, verifyAuditLog } from './audit';
import { activeHolds, closeCase, listCases, listHolds, parisDay, placeHold } from './cases';
import { loadArchiveSigner } from './keys';
import { directoryNames } from './names';
import { SampleActivity } from './sampleActivity';
import { verifyBundle } from './verifyBundle';

const archivist: Auditor = { id: 'arch1', role: 'archivist' };
const wholeSpace = (space: string) => ({
  space,
  person: undefined,
  from: undefined,
  until: undefined,
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PreauError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Closing a case, on each database engine. */
function closeContract(engine: string, open: () => Promise<Database>) {
  describe(`closing a case on ${engine}`, () => {
    let database: Database;
    let s3: Awaited<ReturnType<typeof startTestS3>>;
    let archiver: Archiver;
    let desk: ArchiveDesk;
    const space = 'class_0350001A_4eC';
    const today = parisDay(new Date());

    beforeAll(async () => {
      ({ database, s3, archiver } = await startArchiveRig(open, 5));
      const { db } = database;
      desk = new ArchiveDesk({
        db,
        objects: s3.store,
        signer: () => loadArchiveSigner(db),
        names: directoryNames(db),
        drain: () => archiver.drain(),
      });
      const activity = new SampleActivity(db, space, new Date(Date.now() - 3_600_000));
      await activity.join('pZoe');
      await activity.say('pZoe', 'Message avant la clôture', 'm1');
      await archiver.drain();
    });
    afterAll(async () => {
      await archiver?.close();
      await database?.close();
      await s3?.close();
    });

    it('records the outcome, lifts the case’s holds (not another case’s) and audits each act', async () => {
      const { db } = database;
      const kase = await desk.openCase(archivist, {
        reference: `CLOSE-${engine}`,
        legalBasis: 'Réquisition',
        authority: 'Parquet de Rennes',
        description: '',
      });
      const other = await desk.openCase(archivist, {
        reference: `OTHER-${engine}`,
        legalBasis: 'Réquisition',
        authority: 'Parquet de Brest',
        description: '',
      });
      const h1 = await desk.placeHold(archivist, kase.id, wholeSpace(space));
      const h2 = await desk.placeHold(archivist, kase.id, {
        ...wholeSpace(space),
        person: 'pZoe',
      });
      const lifted = await desk.liftHold(archivist, kase.id, h2.id, 'périmètre trop large');
      const h3 = await desk.placeHold(archivist, kase.id, { ...wholeSpace(space), person: 'pYan' });
      const kept = await desk.placeHold(archivist, other.id, wholeSpace(space));
      const before = (await readAudit(db)).length;

      const closed = await desk.closeCase(archivist, kase.id, {
        outcome: 'Classement sans suite',
        closedOn: today,
      });
      expect(closed.case).toMatchObject({
        id: kase.id,
        closedBy: 'arch1',
        closeOutcome: 'Classement sans suite',
        closedOn: today,
      });
      expect(closed.case.closedAt).not.toBeNull();
      expect(closed.holdsLifted.map((h) => h.id)).toEqual([h1.id, h3.id]);

      const holds = await listHolds(db, kase.id);
      expect(holds.every((h) => h.liftedAt !== null)).toBe(true);
      expect(holds.find((h) => h.id === h1.id)).toMatchObject({
        liftedBy: 'arch1',
        liftedAt: closed.case.closedAt,
        liftReason: 'Classement sans suite',
      });
      // The hold lifted earlier keeps its own date and reason.
      expect(holds.find((h) => h.id === h2.id)).toMatchObject({
        liftedAt: lifted.liftedAt,
        liftReason: 'périmètre trop large',
      });
      expect((await activeHolds(db)).map((h) => h.id)).toEqual([kept.id]);

      const added = (await readAudit(db)).slice(before);
      expect(added.map((e) => [e.action, e.caseId, e.role])).toEqual([
        ['hold.lift', kase.id, 'archivist'],
        ['hold.lift', kase.id, 'archivist'],
        ['case.close', kase.id, 'archivist'],
      ]);
      expect(added[0]!.details).toEqual({
        hold: h1.id,
        reason: 'Classement sans suite',
        caseClosed: true,
      });
      expect(added[2]!.details).toEqual({
        reference: `CLOSE-${engine}`,
        outcome: 'Classement sans suite',
        closedOn: today,
        holdsLifted: [h1.id, h3.id],
      });
      expect((await verifyAuditLog(db)).firstBroken).toBeNull();
      const listed = await listCases(db);
      expect(listed.find((c) => c.id === kase.id)?.closedOn).toBe(today);
      expect(listed.find((c) => c.id === other.id)?.closedAt).toBeNull();
    });

    it('keeps a closed case read-only: no new hold, no second closing, nothing written', async () => {
      const { db } = database;
      const kase = await desk.openCase(archivist, {
        reference: `RO-${engine}`,
        legalBasis: 'Réquisition',
        authority: 'Tribunal judiciaire',
        description: '',
      });
      await desk.closeCase(archivist, kase.id, { outcome: 'Jugement définitif', closedOn: today });
      const before = (await readAudit(db)).length;
      expect(await codeOf(desk.placeHold(archivist, kase.id, wholeSpace(space)))).toBe('conflict');
      expect(
        await codeOf(desk.closeCase(archivist, kase.id, { outcome: 'encore', closedOn: today })),
      ).toBe('conflict');
      expect(
        await codeOf(desk.closeCase(archivist, 'case_none', { outcome: 'x', closedOn: today })),
      ).toBe('not_found');
      expect(await listHolds(db, kase.id)).toEqual([]);
      expect(await readAudit(db)).toHaveLength(before);
      expect((await desk.caseFile(kase.id)).case.closeOutcome).toBe('Jugement définitif');
    });

    it('refuses a decision date in the future or before the opening, and changes nothing', async () => {
      const { db } = database;
      const kase = await desk.openCase(archivist, {
        reference: `DATE-${engine}`,
        legalBasis: 'Réquisition',
        authority: 'Tribunal judiciaire',
        description: '',
      });
      const hold = await desk.placeHold(archivist, kase.id, wholeSpace(space));
      const before = (await readAudit(db)).length;
      const tomorrow = parisDay(new Date(Date.now() + 86_400_000));
      const lastYear = parisDay(new Date(Date.now() - 365 * 86_400_000));
      for (const closedOn of [tomorrow, lastYear]) {
        expect(await codeOf(desk.closeCase(archivist, kase.id, { outcome: 'x', closedOn }))).toBe(
          'bad_request',
        );
      }
      expect((await desk.caseFile(kase.id)).case.closedAt).toBeNull();
      expect((await listHolds(db, kase.id))[0]).toMatchObject({ id: hold.id, liftedAt: null });
      expect(await readAudit(db)).toHaveLength(before);
    });

    it('still exports a closed case, on the holds in force when it closed, up to the closing', async () => {
      const { db } = database;
      const kase = await desk.openCase(archivist, {
        reference: `EXP-${engine}`,
        legalBasis: 'Réquisition',
        authority: 'Parquet de Rennes',
        description: '',
      });
      await desk.placeHold(archivist, kase.id, wholeSpace(space));
      // Not archived yet when the case closes: the export drains it (with what follows, one segment).
      await new SampleActivity(db, space, new Date(Date.now() - 2000)).say(
        'pZoe',
        'Message juste avant la clôture',
        'm2',
      );
      const { case: closed } = await desk.closeCase(archivist, kase.id, {
        outcome: 'Jugement définitif',
        closedOn: today,
      });
      // Activity after the closing is not in the closed case's scope.
      await new SampleActivity(db, space, new Date(Date.now() + 60_000)).say(
        'pZoe',
        'Message après la clôture',
        'm3',
      );
      const { view, bytes } = await desk.export(archivist, kase.id, []);
      const report = verifyBundle(bytes);
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ ok: true, caseReference: `EXP-${engine}` });
      const files = unzipSync(bytes);
      const file = JSON.parse(new TextDecoder().decode(files['case.json']));
      expect(file.case).toMatchObject({
        closedAt: closed.closedAt,
        closeOutcome: 'Jugement définitif',
      });
      // Every record of the space is in the bundle (the chain from genesis); only those before the closing are in scope.
      expect(file.scope.records).toBe(view.records);
      const beforeClosing = await db
        .selectFrom('archive_record')
        .select('seq')
        .where('space_id', '=', space)
        .where('at', '<=', new Date(closed.closedAt!))
        .execute();
      expect(file.scope.recordsInScope).toBe(beforeClosing.length);
      expect(file.scope.recordsInScope).toBeLessThan(file.scope.records);
      const custody = new TextDecoder()
        .decode(files['custody.jsonl'])
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).action);
      expect(custody).toEqual(['case.open', 'hold.place', 'hold.lift', 'case.close', 'export']);
    });

    it('never leaves an active hold on a closed case when a hold races the closing', async () => {
      const { db } = database;
      for (let i = 0; i < 5; i++) {
        const kase = await desk.openCase(archivist, {
          reference: `RACE-${engine}-${i}`,
          legalBasis: 'Réquisition',
          authority: 'Parquet',
          description: '',
        });
        const [hold, close] = await Promise.allSettled([
          placeHold(db, archivist, kase.id, wholeSpace(space)),
          closeCase(db, archivist, kase.id, { outcome: 'fin', closedOn: today }),
        ]);
        expect(close.status).toBe('fulfilled');
        if (hold.status === 'rejected') expect((hold.reason as PreauError).code).toBe('conflict');
        const holds = await listHolds(db, kase.id);
        expect(holds.filter((h) => h.liftedAt === null)).toEqual([]);
      }
    });
  });
}

closeContract('pglite', () => openDatabase({ memory: true }, silentLogger()));
closeContract('postgresql', openPostgresDatabase);
