import type { HoldView, PendingAct } from '@preau/protocol';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import { peopleOf } from './records';

/** At most this many waiting acts are read (the outbox is drained every second; more means an outage). */
const MAX_READ = 10_000;

/** An act still in the trace outbox, with the people it is about. */
interface Waiting extends PendingAct {
  people: string[];
}

async function waitingActs(db: Kysely<Schema>): Promise<Waiting[]> {
  const rows = await db
    .selectFrom('trace_outbox')
    .select(['space_id', 'seq', 'kind', 'actor', 'at', 'payload'])
    .orderBy('space_id')
    .orderBy('seq')
    .limit(MAX_READ)
    .execute();
  return rows.map((r) => {
    const payload = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<
      string,
      unknown
    >;
    return {
      space: r.space_id,
      seq: Number(r.seq),
      kind: r.kind,
      at: new Date(r.at).toISOString(),
      people: peopleOf({ actor: r.actor, payload: payload ?? {} }),
    };
  });
}

const strip = ({ space, seq, kind, at }: Waiting): PendingAct => ({ space, seq, kind, at });

/** Does a hold cover a waiting act? (The same rule as `holdCovers` for archived lines.) */
function covers(hold: HoldView, act: Waiting): boolean {
  if (hold.space && hold.space !== act.space) return false;
  if (hold.person && !act.people.includes(hold.person)) return false;
  const at = new Date(act.at).getTime();
  if (hold.from && at < new Date(hold.from).getTime()) return false;
  if (hold.until && at > new Date(hold.until).getTime()) return false;
  return true;
}

/**
 * Acts a case's holds cover that are still waiting in the trace outbox, so
 * not in a bundle made now: another process holds their space's archiving
 * claim (a crashed one, until its lease runs out) or the archive is failing.
 */
export async function pendingInHolds(
  db: Kysely<Schema>,
  holds: readonly HoldView[],
): Promise<PendingAct[]> {
  if (holds.length === 0) return [];
  return (await waitingActs(db)).filter((a) => holds.some((h) => covers(h, a))).map(strip);
}

/** How many acts matching an archive search are still waiting in the trace outbox. */
export async function pendingMatching(
  db: Kysely<Schema>,
  q: { space?: string; person?: string; kind?: string; from?: Date; to?: Date },
): Promise<number> {
  return (await waitingActs(db)).filter((a) => {
    if (q.space && a.space !== q.space) return false;
    if (q.person && !a.people.includes(q.person)) return false;
    if (q.kind && a.kind !== q.kind) return false;
    const at = new Date(a.at).getTime();
    if (q.from && at < q.from.getTime()) return false;
    if (q.to && at > q.to.getTime()) return false;
    return true;
  }).length;
}
