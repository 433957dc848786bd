import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArchiveRig } from '../../../tests/support/archive';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import type { startTestS3 } from '../../../tests/support/s3';
import { type Database, openDatabase } from '../db/Database';
import type { Archiver } from './Archiver';
import { readAudit } from './audit';
import { liftHold, openCase, placeHold } from './cases';
import { archivePublicKeys, loadArchiveSigner } from './keys';
import { segmentsPrefix } from './layout';
import { retentionDays, setRetention, sweepRetention } from './retention';
import { SampleActivity } from './sampleActivity';
import { verifyStoredSpace } from './verifyStored';

const archivist = { id: 'arch1', role: 'archivist' as const };
const admin = { id: 'admin1', role: 'admin' as const };
const THREE_YEARS_AGO = new Date(Date.now() - 3 * 365 * 86_400_000);

function retentionContract(engine: string, open: () => Promise<Database>) {
  describe(`retention sweep on ${engine}`, () => {
    let database: Database;
    let s3: Awaited<ReturnType<typeof startTestS3>>;
    let archiver: Archiver;
    const deps = () => ({
      db: database.db,
      objects: s3.store,
      log: silentLogger(),
      // Space "class_0350002B_2nde1" belongs to a school that keeps chat longer.
      schoolOf: async (space: string) => (space.includes('0350002B') ? '0350002B' : null),
    });

    beforeAll(async () => {
      ({ database, s3, archiver } = await startArchiveRig(open, 4));
      const { db } = database;
      for (const space of ['class_0350001A_free', 'class_0350001A_held', 'class_0350002B_2nde1']) {
        const old = new SampleActivity(db, space, THREE_YEARS_AGO);
        await old.join('pBob');
        await old.say('pBob', `Ancien message dans ${space}`, 'm1');
        await old.type('pBob', 'Texte ancien du pad');
        const recent = new SampleActivity(db, space, new Date(Date.now() - 86_400_000));
        await recent.say('pAlice', `Message récent dans ${space}`, 'm2');
      }
      await archiver.drain();
    });
    afterAll(async () => {
      await archiver?.close();
      await database?.close();
      await s3?.close();
    });

    it('picks a school’s rule, then the platform’s, then the documented default', async () => {
      await setRetention(database.db, admin, {
        scope: '0350002B',
        kind: 'chat.message',
        days: 3650,
      });
      await setRetention(database.db, admin, { scope: '*', kind: 'session.joined', days: 400 });
      const rules = (await import('./retention')).retentionRules;
      const all = await rules(database.db);
      expect(retentionDays(all, '0350002B', 'chat.message')).toBe(3650);
      expect(retentionDays(all, '0350001A', 'chat.message')).toBe(730);
      expect(retentionDays(all, null, 'session.joined')).toBe(400);
      expect(retentionDays(all, null, 'doc.update')).toBe(730);
    });

    it('deletes expired contents outside holds, keeps held ones, and the chain still verifies', async () => {
      const { db } = database;
      const kase = await openCase(db, archivist, {
        reference: `RET-${engine}`,
        legalBasis: 'Réquisition',
        authority: 'Tribunal judiciaire',
        description: '',
      });
      const hold = await placeHold(db, archivist, kase.id, {
        space: 'class_0350001A_held',
        person: undefined,
        from: undefined,
        until: undefined,
      });
      const signer = await loadArchiveSigner(db);
      const first = await sweepRetention({ ...deps(), signer });
      // free: join, message, pad update expired; held: 3 kept; 2nde1: join and pad expired, chat kept by the school's rule.
      expect(first).toMatchObject({ deleted: 5, held: 3 });
      expect(first.spaces.sort()).toEqual(['class_0350001A_free', 'class_0350002B_2nde1']);
      await archiver.drain();

      const keys = await archivePublicKeys(db);
      for (const space of ['class_0350001A_free', 'class_0350001A_held', 'class_0350002B_2nde1']) {
        const stored = await verifyStoredSpace(db, s3.store, space, keys);
        expect(stored.problems, space).toEqual([]);
      }
      const free = await verifyStoredSpace(db, s3.store, 'class_0350001A_free', keys);
      expect(free.segments.reduce((n, s) => n + s.redacted, 0)).toBe(3);
      const tombstone = free.segments
        .flatMap((s) => s.lines)
        .find((l) => l.kind === 'archive.redacted')!;
      expect(tombstone.content?.payload).toMatchObject({ reason: 'retention' });
      expect(tombstone.content?.payload.records as unknown[]).toHaveLength(3);
      const objects = await s3.store.list(segmentsPrefix('class_0350001A_free'));
      const text = (
        await Promise.all(objects.filter((k) => k.endsWith('.jsonl')).map((k) => s3.store.get(k)))
      )
        .map((b) => new TextDecoder().decode(b!))
        .join('');
      expect(text).not.toContain('Ancien message');
      expect(text).toContain('Message récent');
      const heldText = (await s3.store.list(segmentsPrefix('class_0350001A_held'))).filter((k) =>
        k.endsWith('.jsonl'),
      );
      const heldBytes = await Promise.all(heldText.map((k) => s3.store.get(k)));
      expect(heldBytes.map((b) => new TextDecoder().decode(b!)).join('')).toContain(
        'Ancien message',
      );
      const free2 = await db
        .selectFrom('archive_record')
        .select(['seq', 'deleted_reason', 'actor'])
        .where('space_id', '=', 'class_0350001A_free')
        .where('deleted_at', 'is not', null)
        .execute();
      expect(free2.every((r) => r.deleted_reason === 'retention' && r.actor === null)).toBe(true);

      // Lifting the hold lets the next sweep delete what it kept.
      await liftHold(db, archivist, kase.id, hold.id, 'procédure close');
      const second = await sweepRetention({ ...deps(), signer });
      expect(second).toMatchObject({ deleted: 3, held: 0, spaces: ['class_0350001A_held'] });
      await archiver.drain();
      const afterLift = await verifyStoredSpace(db, s3.store, 'class_0350001A_held', keys);
      expect(afterLift.problems).toEqual([]);
      expect(afterLift.segments.reduce((n, s) => n + s.redacted, 0)).toBe(3);
      // A third sweep finds nothing: tombstones are never swept.
      expect(await sweepRetention({ ...deps(), signer })).toMatchObject({ deleted: 0 });
      const audit = (await readAudit(db)).map((e) => e.action);
      expect(audit.filter((a) => a === 'retention.sweep')).toHaveLength(2);
    });
  });
}

retentionContract('pglite', () => openDatabase({ memory: true }, silentLogger()));

retentionContract('postgresql', openPostgresDatabase);
