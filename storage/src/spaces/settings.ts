import { DEFAULT_SCHOOL_SETTINGS, type SchoolSettings } from '@preau/protocol';
import type { Executor } from '../identity/directory';

/** A school's bounds on work groups; the defaults where it set none. */
export async function schoolSettings(db: Executor, uai: string): Promise<SchoolSettings> {
  const row = await db
    .selectFrom('school_settings')
    .selectAll()
    .where('uai', '=', uai)
    .executeTakeFirst();
  if (!row) return { ...DEFAULT_SCHOOL_SETTINGS };
  return {
    studentsCreateGroups: row.students_create_groups,
    maxGroupMembers: row.max_group_members,
    maxGroupsPerStudent: row.max_groups_per_student,
    studentSalons: row.student_salons,
  };
}

/** Sets a school's bounds. */
export async function putSchoolSettings(
  db: Executor,
  uai: string,
  settings: SchoolSettings,
  by: string,
): Promise<void> {
  const values = {
    students_create_groups: settings.studentsCreateGroups,
    max_group_members: settings.maxGroupMembers,
    max_groups_per_student: settings.maxGroupsPerStudent,
    student_salons: settings.studentSalons,
    updated_by: by,
    updated_at: new Date(),
  };
  await db
    .insertInto('school_settings')
    .values({ uai, ...values })
    .onConflict((oc) => oc.column('uai').doUpdateSet(values))
    .execute();
}
