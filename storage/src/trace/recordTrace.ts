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
  const parsed = TraceInput.parse(input);
  const write = async (tx: Transaction<Schema>) => {
    const counter = await sql<{ last_seq: number | string }>`
      INSERT INTO trace_space (space_id, last_seq) VALUES (${parsed.space}, 1)
      ON CONFLICT (space_id) DO UPDATE SET last_seq = trace_space.last_seq + 1
      RETURNING last_seq`.execute(tx);
    const seq = Number(counter.rows[0]!.last_seq);
    const at = parsed.at ?? new Date();
    await tx
      .insertInto('trace_outbox')
      .values({
        space_id: parsed.space,
        seq,
        kind: parsed.kind,
        actor: parsed.actor,
        subject: parsed.subject ?? null,
        at,
        payload: JSON.stringify(parsed.payload),
        body: parsed.body ?? null,
      })
      .execute();
    return {
      space: parsed.space,
      seq,
      actor: parsed.actor,
      kind: parsed.kind,
      subject: parsed.subject ?? null,
      at,
      payload: parsed.payload,
      body: parsed.body ?? null,
    } satisfies TraceRecord;
  };
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
