import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** One raised hand as stored. */
export interface StoredHand {
  personId: string;
  raisedAt: Date;
}

/** Records a raised hand; a hand already up keeps its first time. */
export async function raiseHand(
  tx: Executor,
  hand: { sessionId: string; personId: string; at: Date },
): Promise<void> {
  await tx
    .insertInto('live_hand')
    .values({ session_id: hand.sessionId, person_id: hand.personId, raised_at: hand.at })
    .onConflict((oc) => oc.columns(['session_id', 'person_id']).doNothing())
    .execute();
}

/** Forgets a hand (lowered, or its owner left); no-op if it was not up. */
export async function lowerHand(tx: Executor, sessionId: string, personId: string): Promise<void> {
  await tx
    .deleteFrom('live_hand')
    .where('session_id', '=', sessionId)
    .where('person_id', '=', personId)
    .execute();
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
