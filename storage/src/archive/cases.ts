import {
  type CaseView,
  type CloseCase,
  type HoldView,
  type OpenCase,
  type PlaceHold,
  PreauError,
} from '@preau/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Schema } from '../db/schema';
import { type Auditor, appendAudit } from './audit';
import { newArchiveId } from './ids';

type Executor = Kysely<Schema> | Transaction<Schema>;

function caseView(r: CaseRow): CaseView {
  return {
    id: r.id,
    reference: r.reference,
    legalBasis: r.legal_basis,
    authority: r.authority,
    description: r.description,
    openedBy: r.opened_by,
    openedAt: r.opened_at.toISOString(),
    closedAt: r.closed_at?.toISOString() ?? null,
    closedBy: r.closed_by,
    closeOutcome: r.close_outcome,
    closedOn: r.closed_on,
  };
}

interface CaseRow {
  id: string;
  reference: string;
  legal_basis: string;
  authority: string;
  description: string;
  opened_by: string;
  opened_at: Date;
  closed_at: Date | null;
  closed_by: string | null;
  close_outcome: string | null;
  closed_on: string | null;
}

interface HoldRow {
  id: string;
  case_id: string;
  space_id: string | null;
  person_id: string | null;
  from_at: Date | null;
  until_at: Date | null;
  placed_by: string;
  placed_at: Date;
  lifted_by: string | null;
  lifted_at: Date | null;
  lift_reason: string | null;
}

function holdView(r: HoldRow): HoldView {
  return {
    id: r.id,
    caseId: r.case_id,
    space: r.space_id,
    person: r.person_id,
    from: r.from_at?.toISOString() ?? null,
    until: r.until_at?.toISOString() ?? null,
    placedBy: r.placed_by,
    placedAt: r.placed_at.toISOString(),
    liftedBy: r.lifted_by,
    liftedAt: r.lifted_at?.toISOString() ?? null,
    liftReason: r.lift_reason,
  };
}

/** Opens a case, audited in the same transaction. A reference is unique. */
export async function openCase(
  db: Kysely<Schema>,
  who: Auditor,
  input: OpenCase,
): Promise<CaseView> {
  return db.transaction().execute(async (tx) => {
    const taken = await tx
      .selectFrom('archive_case')
      .select('id')
      .where('reference', '=', input.reference)
      .executeTakeFirst();
    if (taken) throw new PreauError('conflict', 'a case with this reference exists');
    const row = await tx
      .insertInto('archive_case')
      .values({
        id: newArchiveId('case'),
        reference: input.reference,
        legal_basis: input.legalBasis,
        authority: input.authority,
        description: input.description,
        opened_by: who.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, who, {
      action: 'case.open',
      caseId: row.id,
      details: { reference: row.reference, authority: row.authority },
    });
    return caseView(row);
  });
}

/** The calendar day (`YYYY-MM-DD`) of an instant in Paris, where the schools are. */
export function parisDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(at);
}

/**
 * Closes a case: the outcome and the date of the decision that ended the
 * matter are recorded, and the case's active holds are lifted with it, all
 * in one audited transaction. Why lift rather than refuse while holds are
 * active: a hold exists only for its case, so when the matter ends its
 * holds have no more reason to be, and an archivist expects closing to
 * release them (as eDiscovery tools do) rather than to lift each one by
 * hand first. Holds of other cases over the same traces stay in force.
 * Each hold lifted gets its own `hold.lift` entry (reason: the outcome),
 * then `case.close` lists them. A closed case takes no new hold; it can
 * still be exported, on the holds in force when it closed.
 */
export async function closeCase(
  db: Kysely<Schema>,
  who: Auditor,
  caseId: string,
  input: CloseCase,
  now = new Date(),
): Promise<{ case: CaseView; holdsLifted: HoldView[] }> {
  return db.transaction().execute(async (tx) => {
    const kase = await tx
      .selectFrom('archive_case')
      .selectAll()
      .where('id', '=', caseId)
      .forUpdate()
      .executeTakeFirst();
    if (!kase) throw new PreauError('not_found', 'no such case');
    if (kase.closed_at) throw new PreauError('conflict', 'the case is closed');
    if (input.closedOn > parisDay(now)) {
      throw new PreauError('bad_request', 'the decision date is in the future');
    }
    if (input.closedOn < parisDay(kase.opened_at)) {
      throw new PreauError('bad_request', 'the decision date is before the case was opened');
    }
    const lifted = await tx
      .updateTable('archive_hold')
      .set({ lifted_by: who.id, lifted_at: now, lift_reason: input.outcome })
      .where('case_id', '=', caseId)
      .where('lifted_at', 'is', null)
      .returningAll()
      .execute();
    lifted.sort((a, b) => +a.placed_at - +b.placed_at || a.id.localeCompare(b.id));
    for (const hold of lifted) {
      await appendAudit(tx, who, {
        action: 'hold.lift',
        caseId,
        details: { hold: hold.id, reason: input.outcome, caseClosed: true },
      });
    }
    const row = await tx
      .updateTable('archive_case')
      .set({
        closed_at: now,
        closed_by: who.id,
        close_outcome: input.outcome,
        closed_on: input.closedOn,
      })
      .where('id', '=', caseId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, who, {
      action: 'case.close',
      caseId,
      details: {
        reference: row.reference,
        outcome: input.outcome,
        closedOn: input.closedOn,
        holdsLifted: lifted.map((h) => h.id),
      },
    });
    return { case: caseView(row), holdsLifted: lifted.map(holdView) };
  });
}

/**
 * The holds that define what a case's export holds: the active ones while
 * it is open; once closed, those in force when it closed (the closing
 * lifted them at its very instant), their periods ending at the closing.
 */
export function holdsInForce(kase: CaseView, holds: readonly HoldView[]): HoldView[] {
  if (!kase.closedAt) return holds.filter((h) => !h.liftedAt);
  const closedAt = kase.closedAt;
  const end = Date.parse(closedAt);
  return holds
    .filter((h) => h.liftedAt && Date.parse(h.liftedAt) >= end)
    .map((h) => ({ ...h, until: h.until && Date.parse(h.until) < end ? h.until : closedAt }));
}

/** Every case, newest first. */
export async function listCases(db: Executor): Promise<CaseView[]> {
  const rows = await db
    .selectFrom('archive_case')
    .selectAll()
    .orderBy('opened_at', 'desc')
    .execute();
  return rows.map(caseView);
}

/** One case, or a `not_found` error. */
export async function getCase(db: Executor, caseId: string): Promise<CaseView> {
  const row = await db
    .selectFrom('archive_case')
    .selectAll()
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!row) throw new PreauError('not_found', 'no such case');
  return caseView(row);
}

/** Places a legal hold in a case; audited. */
export async function placeHold(
  db: Kysely<Schema>,
  who: Auditor,
  caseId: string,
  input: PlaceHold,
): Promise<HoldView> {
  return db.transaction().execute(async (tx) => {
    // Locked, so a hold cannot slip in while the case is being closed.
    const kase = await tx
      .selectFrom('archive_case')
      .select('closed_at')
      .where('id', '=', caseId)
      .forShare()
      .executeTakeFirst();
    if (!kase) throw new PreauError('not_found', 'no such case');
    if (kase.closed_at) throw new PreauError('conflict', 'the case is closed');
    if (input.from && input.until && input.from > input.until) {
      throw new PreauError('bad_request', 'the period ends before it starts');
    }
    const row = await tx
      .insertInto('archive_hold')
      .values({
        id: newArchiveId('hold'),
        case_id: caseId,
        space_id: input.space ?? null,
        person_id: input.person ?? null,
        from_at: input.from ?? null,
        until_at: input.until ?? null,
        placed_by: who.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, who, {
      action: 'hold.place',
      caseId,
      details: {
        hold: row.id,
        space: row.space_id,
        person: row.person_id,
        from: row.from_at?.toISOString() ?? null,
        until: row.until_at?.toISOString() ?? null,
      },
    });
    return holdView(row);
  });
}

/** Lifts a hold (it stays listed, with who lifted it and why); audited. */
export async function liftHold(
  db: Kysely<Schema>,
  who: Auditor,
  caseId: string,
  holdId: string,
  reason: string,
): Promise<HoldView> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('archive_hold')
      .set({ lifted_by: who.id, lifted_at: new Date(), lift_reason: reason })
      .where('id', '=', holdId)
      .where('case_id', '=', caseId)
      .where('lifted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new PreauError('not_found', 'no such active hold in this case');
    await appendAudit(tx, who, { action: 'hold.lift', caseId, details: { hold: holdId, reason } });
    return holdView(row);
  });
}

/** A case's holds, active first. */
export async function listHolds(db: Executor, caseId: string): Promise<HoldView[]> {
  const rows = await db
    .selectFrom('archive_hold')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('lifted_at', (o) => o.desc().nullsFirst())
    .orderBy('placed_at')
    .execute();
  return rows.map(holdView);
}

/** Every active hold of every case. */
export async function activeHolds(db: Executor): Promise<HoldView[]> {
  const rows = await db
    .selectFrom('archive_hold')
    .selectAll()
    .where('lifted_at', 'is', null)
    .execute();
  return rows.map(holdView);
}

/**
 * SQL: "the index row `alias` is under an active hold". A hold covers a
 * record when its space (if set), its person (if set: actor or person the
 * act was about) and its period (if set) all match.
 */
export function heldCondition(alias: string) {
  const r = sql.ref;
  return sql<boolean>`EXISTS (
    SELECT 1 FROM archive_hold h
    WHERE h.lifted_at IS NULL
      AND (h.space_id IS NULL OR h.space_id = ${r(`${alias}.space_id`)})
      AND (h.person_id IS NULL OR ${r(`${alias}.people`)} @> ARRAY[h.person_id])
      AND (h.from_at IS NULL OR ${r(`${alias}.at`)} >= h.from_at)
      AND (h.until_at IS NULL OR ${r(`${alias}.at`)} <= h.until_at))`;
}
