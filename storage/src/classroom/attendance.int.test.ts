import { silentLogger } from '@preau/protocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../../tests/support/postgres';
import { type Database, openDatabase } from '../db/Database';
import { readOutbox, recordTrace } from '../trace/recordTrace';
import { closeStay, closeStayTraced, listAttendance, openStay, openStayTraced } from './attendance';
import { listHands, lowerHand, writeHands } from './hands';
import { insertSession } from './liveSessions';

function attendanceContract(engine: string, open: () => Promise<Database>) {
  describe(`arrivals and departures in one statement on ${engine}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
    });
    afterAll(() => database?.close());
    const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 9, 0, s));
    const session = async (id: string) => {
      await insertSession(database.db, {
        id,
        space: `class_${id}`,
        classId: null,
        title: 'Cours',
        phase: 'live',
        createdBy: 'p_teacher',
        startedAt: at(0),
      });
      // Something traced in the space before: the statement continues its numbering.
      await recordTrace(database.db, {
        actor: 'p',
        kind: 'system.test',
        space: `class_${id}`,
        at: at(0),
      });
      return `class_${id}`;
    };
    /** A space's outbox rows, its session named `session` in them. */
    const outbox = async (space: string, sessionId?: string) =>
      (await readOutbox(database.db, space)).map((r) => ({
        seq: r.seq,
        kind: r.kind,
        actor: r.actor,
        subject: r.subject !== null && r.subject === sessionId ? 'session' : r.subject,
        at: r.at.toISOString(),
        payload: r.payload,
        body: r.body,
      }));
    const stays = async (sessionId: string) =>
      (await listAttendance(database.db, sessionId)).map((s) => [
        s.personId,
        s.name,
        s.joinedAt.toISOString(),
        s.leftAt?.toISOString() ?? null,
        s.leaveReason,
      ]);

    it('writes the rows that the stay functions and recordTrace write in a transaction', async () => {
      const [mine, theirs] = [`ls_stay1_${engine}`, `ls_stay2_${engine}`];
      const [mySpace, theirSpace] = [await session(mine), await session(theirs)];
      for (const [id, space, oneStatement] of [
        [mine, mySpace, true],
        [theirs, theirSpace, false],
      ] as const) {
        await writeHands(database.db, [
          { op: 'raise', sessionId: id, personId: 'p_lea', at: at(2) },
          { op: 'raise', sessionId: id, personId: 'p_tom', at: at(2) },
        ]);
        const arrival = { sessionId: id, personId: 'p_lea', name: 'Léa', at: at(1) };
        const departure = { sessionId: id, personId: 'p_lea', at: at(3), reason: 'timeout' };
        if (oneStatement) {
          await openStayTraced(database.db, arrival, {
            space,
            kind: 'session.joined',
            payload: { moderator: false },
          });
          await closeStayTraced(database.db, departure, {
            space,
            kind: 'session.left',
            payload: { reason: 'timeout' },
          });
        } else {
          await database.db.transaction().execute(async (tx) => {
            await openStay(tx, arrival);
            await recordTrace(tx, {
              actor: 'p_lea',
              kind: 'session.joined',
              space,
              subject: id,
              at: at(1),
              payload: { moderator: false },
            });
          });
          await database.db.transaction().execute(async (tx) => {
            await closeStay(tx, departure);
            await lowerHand(tx, id, 'p_lea');
            await recordTrace(tx, {
              actor: 'p_lea',
              kind: 'session.left',
              space,
              subject: id,
              at: at(3),
              payload: { reason: 'timeout' },
            });
          });
        }
      }
      expect(await outbox(mySpace, mine)).toEqual(await outbox(theirSpace, theirs));
      expect((await outbox(mySpace, mine)).map((r) => [r.seq, r.kind, r.subject])).toEqual([
        [1, 'system.test', null],
        [2, 'session.joined', 'session'],
        [3, 'session.left', 'session'],
      ]);
      expect(await stays(mine)).toEqual(await stays(theirs));
      expect(await stays(mine)).toEqual([
        ['p_lea', 'Léa', at(1).toISOString(), at(3).toISOString(), 'timeout'],
      ]);
      // Only the one who left has their hand lowered.
      expect((await listHands(database.db, mine)).map((h) => h.personId)).toEqual(['p_tom']);
    });

    it('traces a departure whose stay was already closed, and leaves that stay as it was', async () => {
      const id = `ls_stay3_${engine}`;
      const space = await session(id);
      const stay = { sessionId: id, personId: 'p_zoe', name: 'Zoé', at: at(1) };
      await openStayTraced(database.db, stay, { space, kind: 'session.joined', payload: {} });
      await closeStayTraced(
        database.db,
        { sessionId: id, personId: 'p_zoe', at: at(2), reason: 'left' },
        { space, kind: 'session.left', payload: { reason: 'left' } },
      );
      await closeStayTraced(
        database.db,
        { sessionId: id, personId: 'p_zoe', at: at(9), reason: 'timeout' },
        { space, kind: 'session.left', payload: { reason: 'timeout' } },
      );
      expect(await stays(id)).toEqual([
        ['p_zoe', 'Zoé', at(1).toISOString(), at(2).toISOString(), 'left'],
      ]);
      expect((await outbox(space)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    });

    it('writes nothing when the arrival is refused (no such session), trace included', async () => {
      const space = 'class_ls_nowhere';
      await recordTrace(database.db, { actor: 'p', kind: 'system.test', space });
      await expect(
        openStayTraced(
          database.db,
          { sessionId: `ls_nowhere_${engine}`, personId: 'p_x', name: 'X', at: at(1) },
          { space, kind: 'session.joined', payload: {} },
        ),
      ).rejects.toThrow();
      expect((await outbox(space)).map((r) => r.seq)).toEqual([1]);
      // The space's numbering is untouched: the next act is number 2.
      expect((await recordTrace(database.db, { actor: 'p', kind: 'system.test', space })).seq).toBe(
        2,
      );
    });
  });
}

attendanceContract('pglite', () => openDatabase({ memory: true }, silentLogger()));
attendanceContract('postgresql', openPostgresDatabase);
