import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startArchiveRig } from '../../../tests/support/archive';
import type { startTestS3 } from '../../../tests/support/s3';
import { insertChatMessage } from '../classroom/chat';
import { insertSession } from '../classroom/liveSessions';
import { type Database, openDatabase } from '../db/Database';
import { createDoc } from '../docs/documents';
import { SampleDoc, storedDocBytes, storedPadText } from '../docs/sampleDoc';
import { historySpan, readDocParts, storeDocSnapshot } from '../docs/updates';
import { insertSpaceFile, spaceFileKey } from '../spaceContent/files';
import type { Archiver } from './Archiver';
import { readAudit } from './audit';
import { openCase, placeHold } from './cases';
import { type DocRewrite, erasePerson } from './erasure';
import { loadArchiveSigner } from './keys';

const archivist = { id: 'arch', role: 'archivist' as const };
const FREE = 'class_live_free';
const HELD = 'class_live_held';
/** A space where only Bob is held: documents he wrote in are kept whole. */
const BOB_HELD = 'class_live_bob';

describe('erasure in the live tables: document engine history and live-class chat', () => {
  let database: Database;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  let archiver: Archiver;
  const docs = new Map<string, { docId: string; pad: SampleDoc }>();
  const rewrites: DocRewrite[] = [];

  /** Léa and Bob write a pad (Léa also deletes a draft), a snapshot compacts it; both chat. */
  async function activity(space: string) {
    const { db } = database;
    const { id: docId } = await createDoc(db, {
      space,
      kind: 'pad',
      title: 'Exposé',
      actor: 'pBob',
    });
    const pad = new SampleDoc(db, docId);
    await pad.type('pLea', `Léa confie un secret dans ${space}.`);
    await pad.type('pBob', `Bob conclut dans ${space}.`);
    await pad.type('pLea', 'Brouillon de Léa.');
    await pad.remove('pLea', 'Brouillon de Léa.');
    const parts = await readDocParts(db, docId);
    const merged = new Y.Doc({ gc: false });
    for (const u of parts.updates) Y.applyUpdate(merged, u.body);
    await storeDocSnapshot(db, {
      docId,
      seq: parts.updates.at(-1)!.seq,
      state: Y.encodeStateAsUpdate(merged),
      generation: parts.generation,
    });
    docs.set(space, { docId, pad });
    const session = `sess_${space}`;
    await insertSession(db, {
      id: session,
      space,
      classId: null,
      title: 'Cours',
      phase: 'ended',
      createdBy: 'pTeacher',
      startedAt: new Date(),
    });
    const say = (n: number, author: string, text: string) =>
      insertChatMessage(db, {
        id: `${session}_${n}`,
        spaceId: space,
        sessionId: session,
        authorId: author,
        authorName: author === 'pLea' ? 'Léa Martin' : 'Bob Durand',
        text,
        sentAt: new Date(Date.now() + n),
      });
    await say(1, 'pLea', `Mon numéro est le 06 12 34 56 78 (${space})`);
    await say(2, 'pBob', `Merci Léa (${space})`);
    // The space's own chat, outside any session, and a file Léa shared there.
    await insertChatMessage(db, {
      id: `${space}_chat`,
      spaceId: space,
      sessionId: null,
      authorId: 'pLea',
      authorName: 'Léa Martin',
      text: `Mon adresse est 3 rue des Lilas (${space})`,
      sentAt: new Date(),
    });
    const key = spaceFileKey(space, `f_${space}`);
    await s3.store.put(key, new TextEncoder().encode(`photo de Léa (${space})`), 'text/plain');
    await insertSpaceFile(db, {
      id: `f_${space}`,
      spaceId: space,
      name: 'photo.txt',
      objectKey: key,
      mimeType: 'text/plain',
      size: 20,
      sha256: '0'.repeat(64),
      uploadedBy: 'pLea',
      uploadedAt: new Date(),
    });
  }

  const spaceChat = async (space: string) =>
    (
      await database.db
        .selectFrom('live_chat_message')
        .select(['text', 'author_id', 'erased_reason'])
        .where('id', '=', `${space}_chat`)
        .execute()
    ).map((r) => [r.text, r.author_id, r.erased_reason]);
  const file = async (space: string) => [
    (
      await database.db
        .selectFrom('space_file')
        .select('id')
        .where('space_id', '=', space)
        .execute()
    ).length,
    (await s3.store.get(spaceFileKey(space, `f_${space}`))) !== null,
  ];

  const chat = async (space: string) =>
    (
      await database.db
        .selectFrom('live_chat_message')
        .select(['text', 'author_id', 'author_name', 'erased_reason'])
        .where('session_id', '=', `sess_${space}`)
        .orderBy('sent_at')
        .execute()
    ).map((r) => [r.text, r.author_id, r.author_name, r.erased_reason]);

  beforeAll(async () => {
    ({ database, s3, archiver } = await startArchiveRig(
      () => openDatabase({ memory: true }, silentLogger()),
      5,
    ));
    const { db } = database;
    for (const space of [FREE, HELD, BOB_HELD]) await activity(space);
    await archiver.drain();
    const holdOn = async (reference: string, space: string, person?: string) => {
      const kase = await openCase(db, archivist, {
        reference,
        legalBasis: 'Réquisition',
        authority: 'Parquet',
        description: '',
      });
      await placeHold(db, archivist, kase.id, { space, person, from: undefined, until: undefined });
    };
    await holdOn('PV-ESPACE', HELD);
    await holdOn('PV-BOB', BOB_HELD, 'pBob');
  });
  afterAll(async () => {
    await archiver?.close();
    await database?.close();
    await s3?.close();
  });

  it('erases the person’s text from the stored history and chat outside holds, and says what was kept', async () => {
    const { db } = database;
    const heldBytes = await storedDocBytes(db, docs.get(HELD)!.docId);
    const bobHeldBytes = await storedDocBytes(db, docs.get(BOB_HELD)!.docId);
    const report = await erasePerson(
      {
        db,
        objects: s3.store,
        signer: await loadArchiveSigner(db),
        log: silentLogger(),
        drain: () => archiver.drain(),
        onDocRewritten: async (r) => {
          rewrites.push(r);
        },
      },
      'pLea',
    );
    const free = docs.get(FREE)!;
    expect(report.documentsRewritten).toEqual([`${FREE}/${free.docId}`]);
    // In FREE and in BOB_HELD (the hold there covers Bob, not Léa's messages):
    // the live-class message and the one of the space's own chat.
    expect(report.chatMessagesErased).toBe(4);
    expect(report.filesErased).toBe(2);
    expect(report.kept).toEqual(
      expect.arrayContaining([
        { space: HELD, records: 3, reason: 'legal_hold', caseReference: 'PV-ESPACE' },
        // Léa's three updates of the pad Bob's hold keeps whole.
        { space: BOB_HELD, records: 3, reason: 'legal_hold', caseReference: 'PV-BOB' },
      ]),
    );
    expect(report.kept).toHaveLength(2);

    // Outside holds: no byte of Léa's text in the engine's updates or snapshots.
    const stored = await storedDocBytes(db, free.docId);
    for (const gone of ['Léa confie', 'secret', 'Brouillon de Léa']) {
      expect(stored.includes(Buffer.from(gone)), gone).toBe(false);
    }
    expect(stored.includes(Buffer.from(`Bob conclut dans ${FREE}.`))).toBe(true);
    expect(await storedPadText(db, free.docId)).toBe(
      `<paragraph>Bob conclut dans ${FREE}.</paragraph>`,
    );
    expect((await historySpan(db, free.docId)).base).toMatchObject({ reason: 'erasure', seq: 4 });
    // The docs servers are told (base and deletion) so open copies drop the text.
    expect(rewrites.map((r) => [r.docId, r.seq])).toEqual([[free.docId, 4]]);
    expect(rewrites[0]!.deletion.byteLength).toBeGreaterThan(0);
    // The document is still editable, Bob's text intact.
    await free.pad.type('pBob', 'Bob reprend après.');
    expect(await storedPadText(db, free.docId)).toBe(
      `<paragraph>Bob conclut dans ${FREE}.</paragraph><paragraph>Bob reprend après.</paragraph>`,
    );

    // Under a hold, every byte stays.
    expect((await storedDocBytes(db, docs.get(HELD)!.docId)).equals(heldBytes)).toBe(true);
    expect((await storedDocBytes(db, docs.get(BOB_HELD)!.docId)).equals(bobHeldBytes)).toBe(true);

    // Chat: Léa's message keeps its place but not its text outside holds.
    expect(await chat(FREE)).toEqual([
      ['', '', '', 'erasure'],
      [`Merci Léa (${FREE})`, 'pBob', 'Bob Durand', null],
    ]);
    expect(await chat(BOB_HELD)).toEqual([
      ['', '', '', 'erasure'],
      [`Merci Léa (${BOB_HELD})`, 'pBob', 'Bob Durand', null],
    ]);
    expect((await chat(HELD))[0]).toEqual([
      `Mon numéro est le 06 12 34 56 78 (${HELD})`,
      'pLea',
      'Léa Martin',
      null,
    ]);
    // The space's chat outside sessions and its files: erased outside holds, kept under one.
    expect(await spaceChat(FREE)).toEqual([['', '', 'erasure']]);
    expect(await spaceChat(BOB_HELD)).toEqual([['', '', 'erasure']]);
    expect(await spaceChat(HELD)).toEqual([
      [`Mon adresse est 3 rue des Lilas (${HELD})`, 'pLea', null],
    ]);
    expect(await file(FREE)).toEqual([0, false]);
    expect(await file(BOB_HELD)).toEqual([0, false]);
    expect(await file(HELD)).toEqual([1, true]);
    const audit = await readAudit(db, { actor: 'pLea' });
    expect(audit.at(-1)).toMatchObject({
      action: 'rights.erase',
      details: { chatMessages: 4, documents: 1, files: 2 },
    });
  });
});
