import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import { type Database, openDatabase } from '../db/Database';
import { readOutbox, recordTrace } from '../trace/recordTrace';
import { findChatMessageByClientId, type StoredChatMessage, storeChatMessageTraced } from './chat';

function chatContract(engine: string, open: () => Promise<Database>) {
  describe(`a chat message and its trace in one statement on ${engine}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
    });
    afterAll(() => database?.close());

    const message = (space: string, id: string, clientId: string | null): StoredChatMessage => ({
      id,
      spaceId: space,
      sessionId: null,
      authorId: 'p_ines',
      authorName: 'Inès',
      text: 'Bonjour à tous',
      sentAt: new Date('2026-12-05T10:00:00.000Z'),
      mentions: ['p_zoe'],
      clientId,
    });
    const outbox = async (space: string) =>
      (await readOutbox(database.db, space)).map((r) => ({
        seq: r.seq,
        kind: r.kind,
        actor: r.actor,
        subject: r.subject,
        at: r.at.toISOString(),
        payload: r.payload,
        body: r.body,
      }));

    it('traces a fresh message as recordTrace would, after what the space already traced', async () => {
      const [mine, theirs] = [`class_chat1_${engine}`, `class_chat2_${engine}`];
      for (const space of [mine, theirs]) {
        await recordTrace(database.db, { actor: 'p', kind: 'system.test', space, payload: {} });
      }
      const first = message(mine, 'm_one', 'c1');
      const payload = { session: 'ls_chat', text: first.text };
      const stored = await storeChatMessageTraced(database.db, first, payload);
      expect(stored).toEqual({ message: first, fresh: true });
      await recordTrace(database.db, {
        actor: first.authorId,
        kind: 'chat.message',
        space: theirs,
        subject: first.id,
        at: first.sentAt,
        payload,
      });
      const [got, expected] = [await outbox(mine), await outbox(theirs)];
      expect(got).toHaveLength(2);
      expect(got[1]).toEqual(expected[1]);
      expect(got[1]!.seq).toBe(2);
      const row = await findChatMessageByClientId(database.db, {
        spaceId: mine,
        authorId: 'p_ines',
        clientId: 'c1',
      });
      expect(row).toMatchObject({ id: 'm_one', text: first.text, mentions: ['p_zoe'] });
    });

    it('answers a resend with the stored message and writes and traces nothing', async () => {
      const space = `class_chat3_${engine}`;
      const first = message(space, 'm_first', 'c9');
      await storeChatMessageTraced(database.db, first, { text: first.text });
      const again = await storeChatMessageTraced(
        database.db,
        { ...message(space, 'm_again', 'c9'), text: 'autre' },
        { text: 'autre' },
      );
      expect(again.fresh).toBe(false);
      expect(again.message).toMatchObject({ id: 'm_first', text: first.text });
      expect((await outbox(space)).map((r) => r.subject)).toEqual(['m_first']);
    });

    it('stores two sends racing with one client id once, and traces it once', async () => {
      const space = `class_chat4_${engine}`;
      const results = await Promise.all(
        ['m_a', 'm_b', 'm_c'].map((id) =>
          storeChatMessageTraced(database.db, message(space, id, 'same'), { text: 'x' }),
        ),
      );
      expect(results.filter((r) => r.fresh)).toHaveLength(1);
      const winner = results.find((r) => r.fresh)!.message.id;
      expect(results.map((r) => r.message.id)).toEqual([winner, winner, winner]);
      expect((await outbox(space)).map((r) => [r.seq, r.subject])).toEqual([[1, winner]]);
    });

    it('always stores a message without a client id, and refuses a bad trace untouched', async () => {
      const space = `class_chat5_${engine}`;
      await storeChatMessageTraced(database.db, message(space, 'm_x', null), { text: 'a' });
      await storeChatMessageTraced(database.db, message(space, 'm_y', null), { text: 'b' });
      expect((await outbox(space)).map((r) => r.subject)).toEqual(['m_x', 'm_y']);
      await expect(
        storeChatMessageTraced(database.db, message('not a space id!', 'm_z', null), {}),
      ).rejects.toThrow();
      expect((await outbox(space)).map((r) => r.subject)).toEqual(['m_x', 'm_y']);
    });
  });
}

chatContract('pglite', () => openDatabase({ memory: true }, silentLogger()));

chatContract('postgresql', openPostgresDatabase);
