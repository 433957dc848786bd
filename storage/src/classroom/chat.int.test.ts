import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import { type Database, openDatabase } from '../db/Database';
import { readOutbox, recordTrace } from '../trace/recordTrace';
import {
  type ChatMessageToStore,
  chatMessageStored,
  findChatMessageByClientId,
  insertChatMessagesTraced,
  type StoredChatMessage,
} from './chat';

/** What the node's chat writer does with a batch: the statement, then a look-up per resend. */
async function storeChatMessagesTraced(db: Database['db'], entries: ChatMessageToStore[]) {
  const fresh = await insertChatMessagesTraced(db, entries);
  return Promise.all(entries.map(({ message }, i) => chatMessageStored(db, message, fresh[i]!)));
}
const storeChatMessageTraced = async (
  db: Database['db'],
  message: StoredChatMessage,
  payload: Record<string, unknown>,
) => (await storeChatMessagesTraced(db, [{ message, payload }]))[0]!;

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

    it('stores a batch in one statement: per-space numbering in the order given, resends and twins in the batch answered with the stored one', async () => {
      const [a, b] = [`class_chat6_${engine}`, `class_chat7_${engine}`];
      const [ref] = [`class_chat8_${engine}`];
      const before = message(a, 'm_before', 'k0');
      await storeChatMessageTraced(database.db, before, { text: before.text });
      const batch = [
        message(a, 'm_a1', 'k1'),
        message(b, 'm_b1', 'k1'),
        { ...message(a, 'm_resend', 'k0'), text: 'renvoyé' },
        message(a, 'm_a2', null),
        { ...message(b, 'm_twin', 'k1'), text: 'jumeau' },
        { ...message(a, 'm_a3', 'k3'), sentAt: new Date('2026-12-05T10:00:01.000Z') },
      ];
      const results = await storeChatMessagesTraced(
        database.db,
        batch.map((m) => ({ message: m, payload: { text: m.text, n: m.id } })),
      );
      expect(results.map((r) => [r.message.id, r.fresh])).toEqual([
        ['m_a1', true],
        ['m_b1', true],
        ['m_before', false],
        ['m_a2', true],
        ['m_b1', false],
        ['m_a3', true],
      ]);
      expect((await outbox(a)).map((r) => [r.seq, r.subject])).toEqual([
        [1, 'm_before'],
        [2, 'm_a1'],
        [3, 'm_a2'],
        [4, 'm_a3'],
      ]);
      expect((await outbox(b)).map((r) => [r.seq, r.subject])).toEqual([[1, 'm_b1']]);
      // The rows are those recordTrace writes for the same acts.
      for (const m of [before, batch[0]!, batch[3]!, batch[5]!]) {
        await recordTrace(database.db, {
          actor: m.authorId,
          kind: 'chat.message',
          space: ref,
          subject: m.id,
          at: m.sentAt,
          payload: m === before ? { text: m.text } : { text: m.text, n: m.id },
        });
      }
      expect(await outbox(a)).toEqual(await outbox(ref));
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
