import type { AuditEntry, AuditQuery } from '@preau/protocol';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema';
import { auditEntryOf } from './audit';

/** A page of the audit log, newest first, with the entry numbers that open the pages beside it. */
export interface AuditPage {
  entries: AuditEntry[];
  /** `before` for the next (older) page, or null when this is the last. */
  older: number | null;
  /** `after` for the previous (newer) page, or null when this is the first. */
  newer: number | null;
}

function filtered(db: Kysely<Schema>, q: AuditQuery) {
  let query = db.selectFrom('archive_audit').selectAll();
  if (q.action) query = query.where('action', '=', q.action);
  if (q.role) query = query.where('role', '=', q.role);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.caseId) query = query.where('case_id', '=', q.caseId);
  if (q.from) query = query.where('at', '>=', q.from);
  if (q.to) query = query.where('at', '<=', q.to);
  if (q.concerning) {
    const id = q.concerning;
    // Searched for or held (`person`), or named in the results (`namesResolved`).
    query = query.where(
      sql<boolean>`(details @> jsonb_build_object('person', ${id}::text)
        OR coalesce(details->'namesResolved', '[]'::jsonb) @> jsonb_build_array(${id}::text))`,
    );
  }
  return query;
}

/** The audit entries matching the DPO's filters, one page, newest first. */
export async function queryAudit(db: Kysely<Schema>, q: AuditQuery): Promise<AuditPage> {
  let page = filtered(db, q);
  // Going up (newer) reads the entries just above `after`, then shows them newest first.
  if (q.after !== undefined) page = page.where('seq', '>', q.after).orderBy('seq', 'asc');
  else {
    if (q.before !== undefined) page = page.where('seq', '<', q.before);
    page = page.orderBy('seq', 'desc');
  }
  const rows = (await page.limit(q.limit + 1).execute()).map(auditEntryOf);
  const more = rows.length > q.limit;
  const entries = rows.slice(0, q.limit).sort((a, b) => b.seq - a.seq);
  const shown = entries.map((e) => e.seq);
  const first = shown[0];
  const last = shown.at(-1);
  const above =
    first !== undefined &&
    (q.after !== undefined
      ? more
      : (await filtered(db, q).where('seq', '>', first).limit(1).execute()).length > 0);
  const below =
    last !== undefined &&
    (q.after === undefined
      ? more
      : (await filtered(db, q).where('seq', '<', last).limit(1).execute()).length > 0);
  return { entries, older: below ? last : null, newer: above ? first : null };
}
