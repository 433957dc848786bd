import { type Expression, sql } from 'kysely';

/**
 * SQL: "an active legal hold covers an act of `person` in `space` at `at`",
 * for rows of the live tables (document history, live-class chat) that have
 * no archive index row of their own. The same rule as `heldCondition` for
 * archive records: a hold's space (if set), person (if set) and period (if
 * set) must all match.
 */
export function holdCoversAct(
  space: Expression<unknown>,
  person: Expression<unknown>,
  at: Expression<unknown>,
) {
  return sql<boolean>`EXISTS (
    SELECT 1 FROM archive_hold h
    WHERE h.lifted_at IS NULL
      AND (h.space_id IS NULL OR h.space_id = ${space})
      AND (h.person_id IS NULL OR h.person_id = ${person})
      AND (h.from_at IS NULL OR ${at} >= h.from_at)
      AND (h.until_at IS NULL OR ${at} <= h.until_at))`;
}
