import {
  type CaseView,
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
    const kase = await getCase(tx, caseId);
    if (kase.closedAt) throw new PreauError('conflict', 'the case is closed');
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
