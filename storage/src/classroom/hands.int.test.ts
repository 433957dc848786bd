import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import { type Database, openDatabase } from '../db/Database';
import { listHands, writeHands } from './hands';
import { insertSession } from './liveSessions';

function handsContract(engine: string, open: () => Promise<Database>) {
  describe(`hands raised and lowered in batches on ${engine}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
    });
    afterAll(() => database?.close());
    const at = (s: number) => new Date(Date.UTC(2026, 11, 5, 10, 0, s));
    const hands = async (session: string) =>
      (await listHands(database.db, session)).map((h) => [h.personId, h.raisedAt.getUTCSeconds()]);

    it('raises (a hand up keeps its first time) and lowers many at once, a hand changed twice in the order given', async () => {
      const [s1, s2] = [`ls_hands1_${engine}`, `ls_hands2_${engine}`];
      for (const id of [s1, s2]) {
        await insertSession(database.db, {
          id,
          space: `class_${id}`,
          classId: null,
          title: 'Cours',
          phase: 'live',
          createdBy: 'p_teacher',
          startedAt: at(0),
        });
      }
      await writeHands(database.db, [{ op: 'raise', sessionId: s1, personId: 'p_a', at: at(1) }]);
      await writeHands(database.db, [{ op: 'raise', sessionId: s1, personId: 'p_b', at: at(2) }]);
      await writeHands(database.db, [
        { op: 'raise', sessionId: s1, personId: 'p_c', at: at(3) },
        { op: 'lower', sessionId: s1, personId: 'p_a' },
        // Already up: keeps its first time.
        { op: 'raise', sessionId: s1, personId: 'p_b', at: at(4) },
        { op: 'lower', sessionId: s1, personId: 'p_nobody' },
        { op: 'raise', sessionId: s2, personId: 'p_a', at: at(5) },
        // Changed twice in one batch: lowered, then raised again.
        { op: 'raise', sessionId: s1, personId: 'p_a', at: at(6) },
        { op: 'lower', sessionId: s2, personId: 'p_a' },
      ]);
      expect(await hands(s1)).toEqual([
        ['p_b', 2],
        ['p_c', 3],
        ['p_a', 6],
      ]);
      expect(await hands(s2)).toEqual([]);
    });
  });
}

handsContract('pglite', () => openDatabase({ memory: true }, silentLogger()));

handsContract('postgresql', openPostgresDatabase);
