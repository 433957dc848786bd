import { type Kysely, sql, type Transaction } from 'kysely';
import type { Schema } from '../db/schema';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** One raised hand as stored. */
export interface StoredHand {
  personId: string;
  raisedAt: Date;
}

/** Forgets a hand (lowered, or its owner left); no-op if it was not up. */
export async function lowerHand(tx: Executor, sessionId: string, personId: string): Promise<void> {
  await tx
    .deleteFrom('live_hand')
    .where('session_id', '=', sessionId)
    .where('person_id', '=', personId)
    .execute();
}

/** A hand raised or lowered, for `writeHands`. */
export type HandChange =
  | { op: 'raise'; sessionId: string; personId: string; at: Date }
  | { op: 'lower'; sessionId: string; personId: string };

/**
 * Raises hands (a hand already up keeps its first time) and lowers them,
 * many in ONE statement (a group commit of what arrived meanwhile on a busy
 * node). The changes of one statement all see the table as it was before
 * it, so a hand changed twice is written in two statements, in the order
 * given (each change can be applied again: a retry changes nothing more).
 */
export async function writeHands(db: Executor, changes: readonly HandChange[]): Promise<void> {
  let rest = changes;
  while (rest.length > 0) {
    // The longest run without a hand changed twice.
    const seen = new Set<string>();
    let n = 0;
    for (const c of rest) {
      const key = `${c.sessionId}\u0000${c.personId}`;
      if (seen.has(key)) break;
      seen.add(key);
      n++;
    }
    const rows = JSON.stringify(
      rest.slice(0, n).map((c, i) => ({
        i,
        op: c.op,
        session_id: c.sessionId,
        person_id: c.personId,
        at: c.op === 'raise' ? c.at.toISOString() : null,
      })),
    );
    await sql`
      WITH v AS (
        SELECT * FROM jsonb_to_recordset(${rows}::jsonb)
          AS v(i int4, op text, session_id text, person_id text, at timestamptz)
      ), raised AS (
        INSERT INTO live_hand (session_id, person_id, raised_at)
        SELECT session_id, person_id, at FROM v WHERE op = 'raise' ORDER BY i
        ON CONFLICT (session_id, person_id) DO NOTHING
      ), lowered AS (
        DELETE FROM live_hand h USING v
        WHERE v.op = 'lower' AND h.session_id = v.session_id AND h.person_id = v.person_id
      )
      SELECT 1`.execute(db);
    rest = rest.slice(n);
  }
}

/** The session's raised hands, first raised first. */
export async function listHands(db: Executor, sessionId: string): Promise<StoredHand[]> {
  const rows = await db
    .selectFrom('live_hand')
    .select(['person_id', 'raised_at'])
    .where('session_id', '=', sessionId)
    .orderBy('raised_at')
    .orderBy('person_id')
    .execute();
  return rows.map((r) => ({ personId: r.person_id, raisedAt: new Date(r.raised_at) }));
}
