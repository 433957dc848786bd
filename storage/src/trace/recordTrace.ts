import { TraceInput, type TraceRecord } from '@preau/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Schema } from '../db/schema';

type Executor = Kysely<Schema> | Transaction<Schema>;

/**
 * The one way any part of Préau records a collaborative act. Called with the
 * transaction that performs the act, the record commits or rolls back with
 * it; called with the database, it runs in a transaction of its own. The
 * per-space counter row is locked by the update, so sequence numbers are
 * gapless and never reused, whichever node writes.
 */
export async function recordTrace(executor: Executor, input: TraceInput): Promise<TraceRecord> {
  const [record] = await recordTraces(executor, [input]);
  return record!;
}

/**
 * Records several acts at once, in the order given within each space: one
 * counter update and one insert per space, whatever the number of records
 * (a batch of document updates costs a few statements, not two per update).
 * Spaces are taken in sorted order, so two writers lock counters in the same
 * order and cannot deadlock. Returns the records in the order of `inputs`.
 */
export async function recordTraces(
  executor: Executor,
  inputs: readonly TraceInput[],
): Promise<TraceRecord[]> {
  const parsed = inputs.map((input) => TraceInput.parse(input));
  const bySpace = new Map<string, number[]>();
  parsed.forEach((input, i) => {
    const list = bySpace.get(input.space) ?? [];
    list.push(i);
    bySpace.set(input.space, list);
  });
  const write = async (tx: Transaction<Schema>) => {
    const records: TraceRecord[] = new Array(parsed.length);
    for (const [space, indexes] of [...bySpace].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const n = indexes.length;
      const counter = await sql<{ last_seq: number | string }>`
        INSERT INTO trace_space (space_id, last_seq) VALUES (${space}, ${n})
        ON CONFLICT (space_id) DO UPDATE SET last_seq = trace_space.last_seq + ${n}
        RETURNING last_seq`.execute(tx);
      const first = Number(counter.rows[0]!.last_seq) - n + 1;
      const now = new Date();
      indexes.forEach((i, k) => {
        const input = parsed[i]!;
        records[i] = {
          space,
          seq: first + k,
          actor: input.actor,
          kind: input.kind,
          subject: input.subject ?? null,
          at: input.at ?? now,
          payload: input.payload,
          body: input.body ?? null,
        } satisfies TraceRecord;
      });
      await tx
        .insertInto('trace_outbox')
        .values(
          indexes.map((i) => {
            const r = records[i]!;
            return {
              space_id: r.space,
              seq: r.seq,
              kind: r.kind,
              actor: r.actor,
              subject: r.subject,
              at: r.at,
              payload: JSON.stringify(r.payload),
              body: r.body,
            };
          }),
        )
        .execute();
    }
    return records;
  };
  if (parsed.length === 0) return [];
  return executor.isTransaction
    ? write(executor as Transaction<Schema>)
    : (executor as Kysely<Schema>).transaction().execute(write);
}

/** Reads a space's outbox records in sequence order (for the archive and tests). */
export async function readOutbox(
  db: Executor,
  space: string,
  afterSeq = 0,
  limit = 1000,
): Promise<TraceRecord[]> {
  const rows = await db
    .selectFrom('trace_outbox')
    .selectAll()
    .where('space_id', '=', space)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    space: r.space_id,
    seq: Number(r.seq),
    actor: r.actor,
    kind: r.kind as TraceRecord['kind'],
    subject: r.subject,
    at: r.at,
    payload: r.payload as Record<string, unknown>,
    body: r.body ? new Uint8Array(r.body) : null,
  }));
}
