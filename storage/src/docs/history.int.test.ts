import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import { openCase, placeHold } from '../archive/cases';
import { eraseChatMessagesOf, expireChatMessages, insertChatMessage } from '../classroom/chat';
import { insertSession } from '../classroom/liveSessions';
import { type Database, openDatabase } from '../db/Database';
import { readOutbox } from '../trace/recordTrace';
import { createDoc } from './documents';
import { expireDocHistories, rewriteDocHistory } from './history';
import { SampleDoc, storedDocBytes, storedPadText } from './sampleDoc';
import { docClientAuthors, historySpan, readDocParts, storeDocSnapshot } from './updates';

const DAY = 86_400_000;
const archivist = { id: 'arch1', role: 'archivist' as const };

function historyContract(engine: string, open: () => Promise<Database>) {
  describe(`stored history rewrites and live-table erasure on ${engine}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
      const kase = await openCase(database.db, archivist, {
        reference: `PV-HIST-${engine}`,
        legalBasis: 'Réquisition',
        authority: 'Parquet',
        description: '',
      });
      await placeHold(database.db, archivist, kase.id, {
        space: 'class_hist_held',
        person: undefined,
        from: undefined,
        until: undefined,
      });
    });
    afterAll(() => database?.close());

    const newPad = async (space: string) =>
      (await createDoc(database.db, { space, kind: 'pad', title: 'Exposé', actor: 'pBob' })).id;
    const bytes = (docId: string) => storedDocBytes(database.db, docId);

    /** Léa writes, deletes a draft (a tombstone), Bob writes; a snapshot compacts it all. */
    async function writtenByLeaAndBob(space: string) {
      const { db } = database;
      const docId = await newPad(space);
      const pad = new SampleDoc(db, docId);
      await pad.type('pLea', 'Léa écrit un secret de famille.');
      await pad.type('pBob', 'Bob ajoute sa conclusion.');
      await pad.type('pLea', 'Brouillon que Léa a effacé.');
      await pad.remove('pLea', 'Brouillon que Léa a effacé.');
      const parts = await readDocParts(db, docId);
      const merged = new Y.Doc({ gc: false });
      for (const u of parts.updates) Y.applyUpdate(merged, u.body);
      expect(
        await storeDocSnapshot(db, {
          docId,
          seq: parts.updates.at(-1)!.seq,
          state: Y.encodeStateAsUpdate(merged),
          generation: parts.generation,
        }),
      ).toBe(true);
      const stored = await bytes(docId);
      expect(stored.includes('Léa écrit un secret')).toBe(true);
      expect(stored.includes('Brouillon que Léa')).toBe(true);
      return { docId, pad };
    }

    it('erasure leaves no byte of the person’s text in updates or snapshots; the document loads and goes on', async () => {
      const { db } = database;
      const { docId, pad } = await writtenByLeaAndBob('class_hist_free');
      const outcome = await rewriteDocHistory(db, {
        docId,
        reason: 'erasure',
        eraseClients: new Set([pad.clientOf('pLea')]),
      });
      expect(outcome).toMatchObject({ ok: true, seq: 4, replaced: 4 });

      const stored = await bytes(docId);
      for (const gone of ['Léa écrit', 'secret de famille', 'Brouillon', 'effacé']) {
        expect(stored.includes(Buffer.from(gone)), gone).toBe(false);
      }
      expect(stored.includes(Buffer.from('Bob ajoute sa conclusion.'))).toBe(true);
      expect(await storedPadText(db, docId)).toBe(
        '<paragraph>Bob ajoute sa conclusion.</paragraph>',
      );
      // Léa is no longer an author; the rewrite is a trace with no text.
      expect([...(await docClientAuthors(db, docId)).values()]).toEqual(['pBob']);
      const traces = await readOutbox(db, 'class_hist_free', 0, 100);
      const rewrite = traces.find((t) => t.kind === 'doc.rewritten')!;
      expect(rewrite).toMatchObject({
        actor: 'system',
        subject: docId,
        body: null,
        payload: { reason: 'erasure', seq: 4, replaced: 4 },
      });
      expect(JSON.stringify(rewrite.payload)).not.toContain('secret');

      // The history starts at the base; editing goes on with the next numbers.
      const span = await historySpan(db, docId);
      expect(span).toMatchObject({ updates: 4, base: { seq: 4, reason: 'erasure', replaced: 4 } });
      expect(await storedPadText(db, docId, 3)).toBe('');
      const next = await pad.type('pBob', 'Bob continue après l’effacement.');
      expect(next).toBe(5);
      expect(await storedPadText(db, docId)).toBe(
        '<paragraph>Bob ajoute sa conclusion.</paragraph><paragraph>Bob continue après l’effacement.</paragraph>',
      );
      // A compaction merged from parts read before the rewrite is refused; a fresh one is kept.
      expect(
        await storeDocSnapshot(db, { docId, seq: 5, state: new Uint8Array([0, 0]), generation: 0 }),
      ).toBe(false);
      const parts = await readDocParts(db, docId);
      expect(parts).toMatchObject({ base: 4, generation: 1, snapshot: null });
      expect(parts.updates.map((u) => [u.seq, u.author])).toEqual([
        [4, 'system'],
        [5, 'pBob'],
      ]);
      const merged = new Y.Doc();
      for (const u of parts.updates) Y.applyUpdate(merged, u.body);
      expect(
        await storeDocSnapshot(db, {
          docId,
          seq: 5,
          state: Y.encodeStateAsUpdate(merged),
          generation: parts.generation,
        }),
      ).toBe(true);
      expect((await bytes(docId)).includes(Buffer.from('secret'))).toBe(false);

      // Erasing again finds nothing of Léa's left.
      expect(
        await rewriteDocHistory(db, {
          docId,
          reason: 'erasure',
          eraseClients: new Set([pad.clientOf('pLea')]),
        }),
      ).toEqual({ ok: false, why: 'nothing' });
    });

    it('a document under a legal hold keeps its whole history', async () => {
      const { db } = database;
      const { docId, pad } = await writtenByLeaAndBob('class_hist_held');
      const before = await bytes(docId);
      const outcome = await rewriteDocHistory(db, {
        docId,
        reason: 'erasure',
        eraseClients: new Set([pad.clientOf('pLea')]),
      });
      expect(outcome).toEqual({ ok: false, why: 'held' });
      expect((await bytes(docId)).equals(before)).toBe(true);
      expect(await storedPadText(db, docId)).toContain('Léa écrit un secret de famille.');
      expect((await historySpan(db, docId)).base).toBeNull();
    });

    it('retention merges the versions past their retention; later versions stay; holds keep theirs', async () => {
      const { db } = database;
      const old = new Date(Date.now() - 3 * 365 * DAY);
      const recent = new Date(Date.now() - DAY);
      const write = async (space: string) => {
        const docId = await newPad(space);
        const pad = new SampleDoc(db, docId);
        await pad.type('pLea', 'Ancien brouillon jeté.', old);
        await pad.remove('pLea', 'Ancien brouillon jeté.', new Date(old.getTime() + 1000));
        await pad.type('pLea', 'Ancien paragraphe gardé.', new Date(old.getTime() + 2000));
        await pad.remove('pBob', 'Ancien paragraphe gardé.', recent);
        await pad.type('pBob', 'Nouveau texte.', new Date(recent.getTime() + 1000));
        return docId;
      };
      const free = await write('class_hist_ret');
      const held = await write('class_hist_held');
      const heldBefore = await bytes(held);
      const cutoff = new Date(Date.now() - 730 * DAY);
      const expire = () => expireDocHistories(db, { before: cutoff, cutoffOf: async () => cutoff });

      expect(await expire()).toEqual({ rewritten: 1, held: 1 });
      const stored = await bytes(free);
      // Only the expired versions showed the draft: it is gone…
      expect(stored.includes(Buffer.from('Ancien brouillon'))).toBe(false);
      // …the first kept version still shows what was deleted later, the document is intact.
      expect(await storedPadText(db, free, 3)).toBe(
        '<paragraph>Ancien paragraphe gardé.</paragraph>',
      );
      expect(await storedPadText(db, free)).toBe('<paragraph>Nouveau texte.</paragraph>');
      expect((await historySpan(db, free)).base).toMatchObject({
        seq: 3,
        reason: 'retention',
        replaced: 3,
      });
      // The merged version keeps the time of the update it stands for.
      const base = (await readDocParts(db, free, 3)).updates[0]!;
      expect(base).toMatchObject({ seq: 3, author: 'system' });
      expect(base.at.getTime()).toBe(old.getTime() + 2000);
      // The held document is untouched; a second pass finds nothing new.
      expect((await bytes(held)).equals(heldBefore)).toBe(true);
      expect(await expire()).toEqual({ rewritten: 0, held: 1 });
    });

    it('blanks live-class chat text on erasure and on expiry, except under a hold', async () => {
      const { db } = database;
      const old = new Date(Date.now() - 3 * 365 * DAY);
      for (const [id, space] of [
        ['sess_free', 'class_hist_chat'],
        ['sess_held', 'class_hist_held'],
      ] as const) {
        await insertSession(db, {
          id,
          space,
          classId: null,
          title: 'Cours',
          phase: 'ended',
          createdBy: 'pTeacher',
          startedAt: old,
        });
        const say = (mid: string, author: string, text: string, sentAt: Date) =>
          insertChatMessage(db, {
            id: `${id}_${mid}`,
            spaceId: space,
            sessionId: id,
            authorId: author,
            authorName: author,
            text,
            sentAt,
          });
        await say('1', 'pLea', 'Mon numéro est le 06 12 34 56 78', new Date());
        await say('2', 'pBob', 'Ancien message de Bob', old);
        await say('3', 'pBob', 'Message récent de Bob', new Date());
      }
      expect(await eraseChatMessagesOf(db, 'pLea', new Date())).toBe(1);
      const rows = async (session: string) =>
        (
          await db
            .selectFrom('live_chat_message')
            .select(['id', 'text', 'author_id', 'author_name', 'erased_reason'])
            .where('session_id', '=', session)
            .orderBy('id')
            .execute()
        ).map((r) => [r.id, r.text, r.author_id, r.author_name, r.erased_reason]);
      expect((await rows('sess_free'))[0]).toEqual(['sess_free_1', '', '', '', 'erasure']);
      expect((await rows('sess_held'))[0]).toEqual([
        'sess_held_1',
        'Mon numéro est le 06 12 34 56 78',
        'pLea',
        'pLea',
        null,
      ]);

      const cutoff = new Date(Date.now() - 730 * DAY);
      expect(
        await expireChatMessages(db, {
          before: cutoff,
          cutoffOf: async () => cutoff,
          now: new Date(),
        }),
      ).toEqual({ erased: 1, held: 1 });
      expect(await rows('sess_free')).toEqual([
        ['sess_free_1', '', '', '', 'erasure'],
        ['sess_free_2', '', '', '', 'retention'],
        ['sess_free_3', 'Message récent de Bob', 'pBob', 'pBob', null],
      ]);
      expect((await rows('sess_held'))[1]).toEqual([
        'sess_held_2',
        'Ancien message de Bob',
        'pBob',
        'pBob',
        null,
      ]);
    });
  });
}

historyContract('pglite', () => openDatabase({ memory: true }, silentLogger()));

historyContract('postgresql', openPostgresDatabase);
