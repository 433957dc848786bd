import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3 } from '../../../tests/support/s3';
import { insertChatMessage } from '../classroom/chat';
import { insertSession } from '../classroom/liveSessions';
import { type Database, openDatabase } from '../db/Database';
import { createDoc } from '../docs/documents';
import { addDocFile, docFileKey, findDocFile } from '../docs/files';
import { SampleDoc, storedDocBytes, storedPadText } from '../docs/sampleDoc';
import { historySpan } from '../docs/updates';
import { insertSpaceFile, spaceFileKey } from '../spaceContent/files';
import { readAudit } from './audit';
import { openCase, placeHold } from './cases';
import { loadArchiveSigner } from './keys';
import { setRetention, sweepRetention } from './retention';

const DAY = 86_400_000;
const THREE_YEARS_AGO = new Date(Date.now() - 3 * 365 * DAY);
const YESTERDAY = new Date(Date.now() - DAY);
const FREE = 'class_0350001A_free';
const HELD = 'class_0350001A_held';
/** A school that keeps document history and chat for ten years. */
const LONG = 'class_0350002B_long';

describe('retention sweep over the live tables (document history, live-class chat)', () => {
  let database: Database;
  let s3: Awaited<ReturnType<typeof startTestS3>>;
  const docIds = new Map<string, string>();
  const albums = new Map<string, string>();

  const chatTexts = async (space: string) =>
    (
      await database.db
        .selectFrom('live_chat_message')
        .select(['text', 'erased_reason'])
        .where('session_id', '=', `sess_${space}`)
        .orderBy('sent_at')
        .execute()
    ).map((r) => [r.text, r.erased_reason]);

  beforeAll(async () => {
    [database, s3] = await Promise.all([
      openDatabase({ memory: true }, silentLogger()),
      startTestS3(),
    ]);
    const { db } = database;
    for (const space of [FREE, HELD, LONG]) {
      const { id } = await createDoc(db, { space, kind: 'pad', title: 'Carnet', actor: 'pBob' });
      docIds.set(space, id);
      const pad = new SampleDoc(db, id);
      const at = (ms: number) => new Date(THREE_YEARS_AGO.getTime() + ms);
      await pad.type('pBob', 'Vieux brouillon supprimé.', at(0));
      await pad.remove('pBob', 'Vieux brouillon supprimé.', at(1000));
      await pad.type('pBob', 'Vieux paragraphe toujours là.', at(2000));
      await pad.type('pAlice', 'Ajout récent.', YESTERDAY);
      await insertSession(db, {
        id: `sess_${space}`,
        space,
        classId: null,
        title: 'Cours',
        phase: 'ended',
        createdBy: 'pTeacher',
        startedAt: THREE_YEARS_AGO,
      });
      for (const [n, text, sentAt] of [
        [1, `Vieux message (${space})`, THREE_YEARS_AGO],
        [2, `Message récent (${space})`, YESTERDAY],
      ] as const) {
        await insertChatMessage(db, {
          id: `sess_${space}_${n}`,
          spaceId: space,
          sessionId: `sess_${space}`,
          authorId: 'pBob',
          authorName: 'Bob',
          text,
          sentAt,
        });
      }
    }
    // The space's own chat outside sessions, and files shared in it, old and recent.
    for (const space of [FREE, HELD, LONG]) {
      await insertChatMessage(db, {
        id: `${space}_chat`,
        spaceId: space,
        sessionId: null,
        authorId: 'pBob',
        authorName: 'Bob',
        text: `Vieux message du groupe (${space})`,
        sentAt: THREE_YEARS_AGO,
      });
      for (const [n, at] of [
        ['old', THREE_YEARS_AGO],
        ['new', YESTERDAY],
      ] as const) {
        const key = spaceFileKey(space, `f_${n}`);
        await s3.store.put(key, new TextEncoder().encode(`${n} ${space}`), 'text/plain');
        await insertSpaceFile(db, {
          id: `f_${n}_${space}`,
          spaceId: space,
          name: `${n}.txt`,
          objectKey: key,
          mimeType: 'text/plain',
          size: 3,
          sha256: '0'.repeat(64),
          uploadedBy: 'pBob',
          uploadedAt: at,
        });
      }
    }
    // Images of a pad: one still shown, one shown then removed, both uploaded
    // long ago; one uploaded yesterday and not shown (yet).
    for (const space of [FREE, HELD, LONG]) {
      const { id } = await createDoc(db, { space, kind: 'pad', title: 'Album', actor: 'pBob' });
      albums.set(space, id);
      const album = new SampleDoc(db, id);
      const at = (ms: number) => new Date(THREE_YEARS_AGO.getTime() + ms);
      for (const [name, when] of [
        ['img_shown', at(0)],
        ['img_gone', at(0)],
        ['img_new', YESTERDAY],
      ] as const) {
        await s3.store.put(
          docFileKey(id, `${name}_${space}`),
          new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
          'image/png',
        );
        await addDocFile(db, {
          id: `${name}_${space}`,
          docId: id,
          mimeType: 'image/png',
          size: 4,
          uploadedBy: 'pBob',
          sha256: '0'.repeat(64),
          at: when,
        });
      }
      await album.image('pBob', `/api/docs/${id}/files/img_shown_${space}`, at(1000));
      await album.image('pBob', `/api/docs/${id}/files/img_gone_${space}`, at(2000));
      await album.remove('pBob', `img_gone_${space}`, at(3000));
    }
    const admin = { id: 'admin1', role: 'admin' as const };
    await setRetention(db, admin, { scope: '0350002B', kind: 'file.added', days: 3650 });
    await setRetention(db, admin, { scope: '0350002B', kind: 'doc.update', days: 3650 });
    await setRetention(db, admin, { scope: '0350002B', kind: 'chat.message', days: 3650 });
    const archivist = { id: 'arch1', role: 'archivist' as const };
    const kase = await openCase(db, archivist, {
      reference: 'PV-RET-LIVE',
      legalBasis: 'Réquisition',
      authority: 'Parquet',
      description: '',
    });
    await placeHold(db, archivist, kase.id, {
      space: HELD,
      person: undefined,
      from: undefined,
      until: undefined,
    });
  });
  afterAll(async () => {
    await database?.close();
    await s3?.close();
  });

  it('merges expired document history and blanks expired chat text, by each school’s rule, except under a hold', async () => {
    const { db } = database;
    const before = new Map<string, Buffer>();
    for (const [space, id] of docIds) before.set(space, await storedDocBytes(db, id));
    const signer = await loadArchiveSigner(db);
    const sweep = () =>
      sweepRetention({
        db,
        objects: s3.store,
        signer,
        log: silentLogger(),
        schoolOf: async (space) => (space.includes('0350002B') ? '0350002B' : '0350001A'),
      });
    const report = await sweep();
    expect(report.live).toEqual({
      documents: 2,
      heldDocuments: 2,
      chatMessages: 2,
      heldChatMessages: 2,
      files: 1,
      heldFiles: 1,
      polls: 0,
      heldPolls: 0,
      docImages: 1,
      heldDocImages: 1,
    });
    // An image no version since the cutoff shows is gone, row and bytes; the
    // one the pad still shows stays, as does a recent one; a hold keeps all.
    const image = async (space: string, name: string) => {
      const docId = albums.get(space)!;
      const row = await findDocFile(db, docId, `${name}_${space}`);
      const bytes = await s3.store.get(docFileKey(docId, `${name}_${space}`));
      return [row !== null, bytes !== null];
    };
    expect(await image(FREE, 'img_gone')).toEqual([false, false]);
    expect(await image(FREE, 'img_shown')).toEqual([true, true]);
    expect(await image(FREE, 'img_new')).toEqual([true, true]);
    expect(await image(HELD, 'img_gone')).toEqual([true, true]);
    expect(await image(LONG, 'img_gone')).toEqual([true, true]);

    // Outside holds: the expired versions are one version; the draft only they showed is gone.
    const free = docIds.get(FREE)!;
    const stored = await storedDocBytes(db, free);
    expect(stored.includes(Buffer.from('Vieux brouillon'))).toBe(false);
    expect(await storedPadText(db, free)).toBe(
      '<paragraph>Vieux paragraphe toujours là.</paragraph><paragraph>Ajout récent.</paragraph>',
    );
    expect((await historySpan(db, free)).base).toMatchObject({ seq: 3, reason: 'retention' });
    expect(await chatTexts(FREE)).toEqual([
      ['', 'retention'],
      [`Message récent (${FREE})`, null],
    ]);
    // Held, or kept longer by the school's rule: every byte and every message stays.
    for (const space of [HELD, LONG]) {
      expect((await storedDocBytes(db, docIds.get(space)!)).equals(before.get(space)!)).toBe(true);
      expect(await chatTexts(space)).toEqual([
        [`Vieux message (${space})`, null],
        [`Message récent (${space})`, null],
      ]);
    }
    // The space's chat outside sessions and its files follow the same rules.
    const groupChat = async (space: string) =>
      (
        await db
          .selectFrom('live_chat_message')
          .select(['text', 'erased_reason'])
          .where('id', '=', `${space}_chat`)
          .execute()
      ).map((r) => [r.text, r.erased_reason]);
    const files = async (space: string) => [
      (
        await db
          .selectFrom('space_file')
          .select('name')
          .where('space_id', '=', space)
          .orderBy('name')
          .execute()
      ).map((r) => r.name),
      (await s3.store.get(spaceFileKey(space, 'f_old'))) !== null,
    ];
    expect(await groupChat(FREE)).toEqual([['', 'retention']]);
    expect(await files(FREE)).toEqual([['new.txt'], false]);
    for (const space of [HELD, LONG]) {
      expect(await groupChat(space)).toEqual([[`Vieux message du groupe (${space})`, null]]);
      expect(await files(space)).toEqual([['new.txt', 'old.txt'], true]);
    }
    const audit = (await readAudit(db)).filter((e) => e.action === 'retention.sweep');
    expect(audit.at(-1)?.details).toMatchObject({
      live: { documents: 2, chatMessages: 2, heldDocuments: 2, heldChatMessages: 2, files: 1 },
    });
    // A second sweep finds nothing new to merge or blank; the hold still keeps its part.
    expect((await sweep()).live).toEqual({
      documents: 0,
      heldDocuments: 2,
      chatMessages: 0,
      heldChatMessages: 2,
      files: 0,
      heldFiles: 1,
      polls: 0,
      heldPolls: 0,
      docImages: 0,
      heldDocImages: 1,
    });
  });
});
