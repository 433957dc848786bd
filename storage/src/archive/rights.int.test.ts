import { DOC_YJS } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { unzipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startArchiveRig } from '../../../tests/support/archive';
import type { startTestS3 } from '../../../tests/support/s3';
import { type Database, openDatabase } from '../db/Database';
import type { Archiver } from './Archiver';
import { readAudit } from './audit';
import { fromBase64 } from './canonical';
import { openCase, placeHold } from './cases';
import { erasePerson, erasureReports } from './erasure';
import { archivePublicKeys, loadArchiveSigner } from './keys';
import { ARCHIVE_PREFIX } from './layout';
import { directoryNames } from './names';
import { personalData } from './personalData';
import { decodeSegment } from './records';
import { SampleActivity } from './sampleActivity';
import { verifyStoredSpace } from './verifyStored';

describe('people’s rights: download one’s data, erasure that honours holds', () => {
  let database: Database;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let archiver: Archiver;
  const free = new Date('2026-10-05T09:00:00Z');
  const rewrites: Array<{ docId: string; deletion: Uint8Array; snapshot: Uint8Array }> = [];

  const deps = async () => ({
    db: database.db,
    objects: s3.store,
    signer: await loadArchiveSigner(database.db),
    log: silentLogger(),
    names: directoryNames(database.db),
    drain: () => archiver.drain(),
    onDocRewritten: async (r: { docId: string; deletion: Uint8Array; snapshot: Uint8Array }) => {
      rewrites.push(r);
    },
  });

  /** Every byte the archive keeps in object storage, as text. */
  async function everythingStored(): Promise<string> {
    const keys = await s3.store.list(ARCHIVE_PREFIX);
    const bodies = await Promise.all(keys.map((k) => s3.store.get(k)));
    return bodies.map((b) => new TextDecoder().decode(b!)).join('\n');
  }

  /** Every pad text ever stored, decoded from the Yjs bodies of the segments. */
  async function everyPadText(space: string): Promise<string> {
    const keys = (await s3.store.list(`${ARCHIVE_PREFIX}spaces/${space}/`)).filter((k) =>
      k.endsWith('.jsonl'),
    );
    const texts: string[] = [];
    for (const k of keys) {
      for (const line of decodeSegment((await s3.store.get(k))!)) {
        if (line.kind !== 'doc.update' || !line.content?.body) continue;
        // Decoded on its own, an update shows the strings its items carry, deleted or not.
        const decoded = Y.decodeUpdate(fromBase64(line.content.body));
        for (const s of decoded.structs) {
          const content = (s as unknown as { content?: { str?: string } }).content;
          if (content?.str) texts.push(content.str);
        }
      }
    }
    return texts.join('|');
  }

  beforeAll(async () => {
    ({ database, s3, archiver } = await startArchiveRig(
      () => openDatabase({ memory: true }, silentLogger()),
      5,
    ));
    const { db } = database;
    const a = new SampleActivity(db, 'class_A', free);
    await a.createDocs('pTeacher');
    await a.join('pLea');
    await a.type('pLea', 'Léa écrit un secret de famille.');
    await a.type('pBob', 'Bob ajoute sa conclusion.');
    await a.say('pLea', 'Mon numéro est le 06 12 34 56 78', 'mA1');
    await a.say('pBob', 'Merci Léa', 'mA2');
    await a.moderate('pTeacher', 'mute', 'pLea');
    const b = new SampleActivity(db, 'class_B', free);
    await b.join('pLea');
    await b.say('pLea', 'Propos litigieux sous conservation', 'mB1');
    await archiver.drain();
    const kase = await openCase(
      db,
      { id: 'arch', role: 'archivist' },
      {
        reference: 'PV-RGPD-1',
        legalBasis: 'Réquisition',
        authority: 'Parquet',
        description: '',
      },
    );
    await placeHold(db, { id: 'arch', role: 'archivist' }, kase.id, {
      space: 'class_B',
      person: undefined,
      from: undefined,
      until: undefined,
    });
  });
  afterAll(async () => {
    await archiver?.close();
    await database?.close();
    await s3?.close();
  });

  it('gives a person their records, messages and documents', async () => {
    const { bytes, records } = await personalData(await deps(), 'pLea');
    expect(records).toBe(6);
    const files = unzipSync(bytes);
    const text = (name: string) => new TextDecoder().decode(files[name]);
    expect(text('messages.txt')).toContain('Mon numéro est le 06 12 34 56 78');
    expect(text('messages.txt')).toContain('Propos litigieux sous conservation');
    expect(text('records.jsonl').trim().split('\n')).toHaveLength(6);
    expect(text('documents/class_A/pad_1.html')).toContain('Léa écrit un secret de famille.');
    expect(text('documents/class_A/pad_1.html')).toContain('Bob ajoute sa conclusion.');
  });

  it('erases the person outside holds, from the archive and from documents, and says what was kept and why', async () => {
    expect(await everyPadText('class_A')).toContain('Léa écrit un secret');
    const report = await erasePerson(await deps(), 'pLea');
    expect(report.erased).toBe(4);
    expect(report.documentsRewritten).toEqual(['class_A/pad_1']);
    expect(report.kept).toEqual([
      { space: 'class_B', records: 2, reason: 'legal_hold', caseReference: 'PV-RGPD-1' },
    ]);
    expect(await erasureReports(database.db, 'pLea')).toEqual([report]);

    // Nothing Léa wrote in space A survives anywhere in object storage…
    const stored = await everythingStored();
    expect(stored).not.toContain('Mon numéro est le 06');
    expect(await everyPadText('class_A')).not.toContain('secret');
    expect(await everyPadText('class_A')).toContain('Bob ajoute sa conclusion.');
    // …what the hold keeps is still there…
    expect(stored).toContain('Propos litigieux sous conservation');
    // …and both chains still verify.
    const keys = await archivePublicKeys(database.db);
    for (const space of ['class_A', 'class_B']) {
      expect((await verifyStoredSpace(database.db, s3.store, space, keys)).problems).toEqual([]);
    }

    // The document engine is handed the rewrite: a deletion for the live copy, a clean snapshot.
    const [rewrite] = rewrites;
    expect(rewrite?.docId).toBe('pad_1');
    const live = new Y.Doc();
    const history = await personalData(await deps(), 'pBob');
    expect(history.records).toBeGreaterThan(0);
    Y.applyUpdate(live, rewrite!.snapshot);
    const padText = live.getXmlFragment(DOC_YJS.padFragment).toString();
    expect(padText).toContain('Bob ajoute sa conclusion.');
    expect(padText).not.toContain('secret');
    expect(Buffer.from(rewrite!.snapshot).includes(Buffer.from('secret'))).toBe(false);

    // Search by person now finds only what the hold keeps.
    const left = await database.db
      .selectFrom('archive_record')
      .select(['space_id'])
      .where(sql<boolean>`people @> ARRAY['pLea']::text[]`)
      .execute();
    expect(left.map((r) => r.space_id)).toEqual(['class_B', 'class_B']);
    const actions = (await readAudit(database.db, { actor: 'pLea' })).map((e) => e.action);
    expect(actions).toEqual(['rights.download', 'rights.erase']);
  });
});
