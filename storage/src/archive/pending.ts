import type { HoldView, PendingAct } from '@preau/protocol';
import { type Kysely, sql } from 'kysely';
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

/** How long an export waits for another archiver that archived nothing more of its scope (a dead process's claim). */
export const EXPORT_WAIT_IDLE_MS = 5_000;
/** The longest an export waits for other archivers, progressing or not. */
const EXPORT_WAIT_MAX_MS = 60_000;
const EXPORT_WAIT_POLL_MS = 200;

/** The spaces among `spaces` that an archiver holds now, with the last record it archived there. */
async function claimedHeads(db: Kysely<Schema>, spaces: string[]): Promise<Map<string, number>> {
  if (spaces.length === 0) return new Map();
  const rows = await db
    .selectFrom('archive_space')
    .select(['space_id', 'last_seq'])
    .where('space_id', 'in', spaces)
    .where('lease_owner', 'is not', null)
    .where('lease_until', '>', sql<Date>`now()`)
    .execute();
  return new Map(rows.map((r) => [r.space_id, Number(r.last_seq)]));
}

/**
 * Archives what a case's holds cover before an export, and returns what is
 * still waiting. `drain` archives every space nobody else holds; a space
 * another archiver holds (the background archiver, here or on another node)
 * is left to it, so the export waits for it while it advances (its claim
 * released or its last archived record moving, each drain trying again),
 * for the acts made before the export was asked for, and gives up on a
 * claim that has not moved for `EXPORT_WAIT_IDLE_MS` (a dead process's,
 * until its lease runs out): what is still waiting is named as such.
 */
export async function drainForExport(
  db: Kysely<Schema>,
  holds: readonly HoldView[],
  drain: () => Promise<unknown>,
  idleMs = EXPORT_WAIT_IDLE_MS,
): Promise<PendingAct[]> {
  const started = Date.now();
  await drain();
  let pending = await pendingInHolds(db, holds);
  // Only acts made before the export was asked for are waited for: a live
  // class goes on recording meanwhile, and its newer acts would keep a busy
  // school's export waiting.
  const spacesOf = (acts: PendingAct[]) => [
    ...new Set(acts.filter((a) => Date.parse(a.at) <= started).map((a) => a.space)),
  ];
  let heads = await claimedHeads(db, spacesOf(pending));
  let moved = started;
  while (
    heads.size > 0 &&
    Date.now() - moved < idleMs &&
    Date.now() - started < EXPORT_WAIT_MAX_MS
  ) {
    await new Promise((r) => setTimeout(r, EXPORT_WAIT_POLL_MS));
    await drain();
    pending = await pendingInHolds(db, holds);
    const next = await claimedHeads(db, spacesOf(pending));
    const advanced = [...heads].some(([space, seq]) => (next.get(space) ?? Infinity) > seq);
    if (advanced) moved = Date.now();
    heads = next;
  }
  return pending;
}
