import type { Executor } from '../identity/directory';

/** A report as stored, with a copy of what was reported. */
export interface StoredReport {
  id: string;
  spaceId: string;
  reporter: string;
  targetKind: 'message' | 'doc' | 'file';
  targetId: string;
  reason: string;
  content: unknown;
  createdAt: Date;
  handledAt: Date | null;
  handledBy: string | null;
}

/** Stores a report and the schools whose staff receive it. */
export async function insertReport(
  db: Executor,
  report: Omit<StoredReport, 'handledAt' | 'handledBy'>,
  uais: readonly string[],
): Promise<void> {
  await db
    .insertInto('space_report')
    .values({
      id: report.id,
      space_id: report.spaceId,
      reporter: report.reporter,
      target_kind: report.targetKind,
      target_id: report.targetId,
      reason: report.reason,
      content: JSON.stringify(report.content),
      created_at: report.createdAt,
      handled_at: null,
      handled_by: null,
    })
    .execute();
  if (uais.length > 0)
    await db
      .insertInto('space_report_school')
      .values(uais.map((uai) => ({ report_id: report.id, uai })))
      .execute();
}

/** The reports a school's staff receive, newest first (at most `limit`). */
export async function reportsOfSchool(
  db: Executor,
  uai: string,
  limit = 200,
): Promise<StoredReport[]> {
  const rows = await db
    .selectFrom('space_report as r')
    .innerJoin('space_report_school as s', 's.report_id', 'r.id')
    .selectAll('r')
    .where('s.uai', '=', uai)
    .orderBy('r.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    spaceId: r.space_id,
    reporter: r.reporter,
    targetKind: r.target_kind,
    targetId: r.target_id,
    reason: r.reason,
    content: typeof r.content === 'string' ? JSON.parse(r.content) : r.content,
    createdAt: new Date(r.created_at),
    handledAt: r.handled_at ? new Date(r.handled_at) : null,
    handledBy: r.handled_by,
  }));
}

/** Marks a report of a school handled; the report's space, or null when the school has no such report. */
export async function markReportHandled(
  db: Executor,
  opts: { uai: string; reportId: string; by: string; at: Date },
): Promise<string | null> {
  const row = await db
    .updateTable('space_report')
    .set({ handled_at: opts.at, handled_by: opts.by })
    .where('id', '=', opts.reportId)
    .where('handled_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('space_report_school as s')
          .select('s.uai')
          .whereRef('s.report_id', '=', 'space_report.id')
          .where('s.uai', '=', opts.uai),
      ),
    )
    .returning('space_id')
    .executeTakeFirst();
  return row?.space_id ?? null;
}

/**
 * The schools whose staff oversee a space: a class's or group's school; for
 * a project, the schools of its teachers.
 */
export async function schoolsOfSpace(db: Executor, spaceId: string): Promise<string[]> {
  if (spaceId.startsWith('class_')) {
    const row = await db
      .selectFrom('class')
      .select('uai')
      .where('id', '=', spaceId.slice('class_'.length))
      .executeTakeFirst();
    return row ? [row.uai] : [];
  }
  const space = await db
    .selectFrom('space')
    .select(['uai', 'kind'])
    .where('id', '=', spaceId)
    .executeTakeFirst();
  if (!space) return [];
  if (space.uai) return [space.uai];
  const rows = await db
    .selectFrom('space_member as m')
    .innerJoin('profile as p', 'p.person_id', 'm.person_id')
    .select('p.uai')
    .distinct()
    .where('m.space_id', '=', spaceId)
    .where('m.role', 'in', ['owner', 'teacher'])
    .where('p.kind', '=', 'teacher')
    .orderBy('p.uai')
    .execute();
  return rows.map((r) => r.uai);
}

/** Staff (CPE, head) of some schools: who a report notifies. */
export async function staffOfSchools(db: Executor, uais: readonly string[]): Promise<string[]> {
  if (uais.length === 0) return [];
  const rows = await db
    .selectFrom('profile')
    .select('person_id')
    .distinct()
    .where('uai', 'in', uais)
    .where('kind', '=', 'staff')
    .execute();
  return rows.map((r) => r.person_id);
}
