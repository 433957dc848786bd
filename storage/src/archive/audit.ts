import { type AuditAction, type AuditEntry, GENESIS_HASH } from '@preau/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import { hashCanonical } from './canonical';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** Serialises writers of the audit chain across nodes (any constant unique to it). */
const AUDIT_LOCK = 7365406;

/** Who did an audited action, in which capacity. */
export interface Auditor {
  id: string;
  role: 'archivist' | 'dpo' | 'admin' | 'self' | 'system';
}

/** What is appended: the action, its case, and what it touched (ids and counts, no content). */
export interface AuditInput {
  action: AuditAction;
  caseId?: string | null;
  details?: Record<string, unknown>;
}

/** The hash of an entry: SHA-256 of the canonical encoding of everything but the hash. */
export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  return hashCanonical({
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    role: entry.role,
    action: entry.action,
    caseId: entry.caseId,
    details: entry.details,
    prev: entry.prev,
  });
}

/**
 * Appends one entry to the audit log, chained to the last. Called with the
 * transaction of the audited act, it commits or rolls back with it. The
 * database's triggers refuse any entry that does not extend the chain and
 * any change or deletion.
 */
export async function appendAudit(
  executor: Executor,
  who: Auditor,
  input: AuditInput,
): Promise<AuditEntry> {
  const write = async (tx: Transaction<Schema>): Promise<AuditEntry> => {
    await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(tx);
    const last = await tx
      .selectFrom('archive_audit')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const partial = {
      seq: (last ? Number(last.seq) : 0) + 1,
      at: new Date().toISOString(),
      actor: who.id,
      role: who.role,
      action: input.action,
      caseId: input.caseId ?? null,
      details: input.details ?? {},
      prev: last?.hash ?? GENESIS_HASH,
    };
    const entry: AuditEntry = { ...partial, hash: auditHash(partial) };
    await tx
      .insertInto('archive_audit')
      .values({
        seq: entry.seq,
        at: new Date(entry.at),
        actor: entry.actor,
        role: entry.role,
        action: entry.action,
        case_id: entry.caseId,
        details: JSON.stringify(entry.details),
        prev_hash: entry.prev,
        hash: entry.hash,
      })
      .execute();
    return entry;
  };
  return executor.isTransaction
    ? write(executor as Transaction<Schema>)
    : (executor as Kysely<Schema>).transaction().execute(write);
}

/** An audit entry from its database row. */
export function auditEntryOf(r: {
  seq: number | string;
  at: Date;
  actor: string;
  role: string;
  action: string;
  case_id: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
}): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actor: r.actor,
    role: r.role,
    action: r.action as AuditAction,
    caseId: r.case_id,
    details: r.details as Record<string, unknown>,
    prev: r.prev_hash,
    hash: r.hash,
  };
}

/** Audit entries in chain order, optionally only one case's or after a number. */
export async function readAudit(
  db: Executor,
  opts: { caseId?: string; afterSeq?: number; limit?: number; actor?: string } = {},
): Promise<AuditEntry[]> {
  let q = db.selectFrom('archive_audit').selectAll().orderBy('seq');
  if (opts.caseId) q = q.where('case_id', '=', opts.caseId);
  if (opts.actor) q = q.where('actor', '=', opts.actor);
  if (opts.afterSeq) q = q.where('seq', '>', opts.afterSeq);
  if (opts.limit) q = q.limit(opts.limit);
  return (await q.execute()).map(auditEntryOf);
}

/** The last entries, newest first (what the DPO's page shows). */
export async function latestAudit(db: Executor, limit: number): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('archive_audit')
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map(auditEntryOf);
}

/** The result of checking audit entries: how many, and the first broken one. */
export interface AuditCheck {
  entries: number;
  firstBroken: { seq: number; reason: string } | null;
}

/**
 * Checks entries: each hash, and each link when the entries are consecutive
 * (a case's extract skips others' entries; those links cannot be checked).
 */
export function checkAuditEntries(entries: readonly AuditEntry[]): AuditCheck {
  let previous: AuditEntry | undefined;
  for (const entry of entries) {
    if (auditHash(entry) !== entry.hash) {
      return { entries: entries.length, firstBroken: { seq: entry.seq, reason: 'hash mismatch' } };
    }
    if (entry.seq === 1 && entry.prev !== GENESIS_HASH) {
      return {
        entries: entries.length,
        firstBroken: { seq: 1, reason: 'first entry not at genesis' },
      };
    }
    if (previous && previous.seq + 1 === entry.seq && previous.hash !== entry.prev) {
      return { entries: entries.length, firstBroken: { seq: entry.seq, reason: 'chain broken' } };
    }
    if (previous && entry.seq <= previous.seq) {
      return { entries: entries.length, firstBroken: { seq: entry.seq, reason: 'out of order' } };
    }
    previous = entry;
  }
  return { entries: entries.length, firstBroken: null };
}

/** Checks the whole audit log from the database, page by page. */
export async function verifyAuditLog(db: Executor): Promise<AuditCheck> {
  let after = 0;
  let count = 0;
  let carry: AuditEntry | undefined;
  for (;;) {
    const page = await readAudit(db, { afterSeq: after, limit: 2000 });
    if (page.length === 0) return { entries: count, firstBroken: null };
    const check = checkAuditEntries(carry ? [carry, ...page] : page);
    if (check.firstBroken) return { entries: count + page.length, firstBroken: check.firstBroken };
    if (page[0]!.seq !== after + 1) {
      return { entries: count, firstBroken: { seq: after + 1, reason: 'entry missing' } };
    }
    count += page.length;
    carry = page.at(-1);
    after = carry!.seq;
  }
}
