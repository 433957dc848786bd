import type { SessionUser } from '@preau/protocol';
import { type AttendanceSheet, PreauError } from '@preau/protocol';
import { stringify } from 'csv-stringify/sync';
import { type Locale, translator } from '#lib/i18n';
import { dateTime, duration } from '#lib/time';
import { attendanceRecords, attendanceSheet } from './attendance';
import { attendanceOf, classAccess, rosterOf, sessionOfClass, toSummary } from './live.server';

/** A session's attendance for its class's teachers: every member, present or absent. */
export async function attendanceForTeacher(
  services: App.Locals['services'],
  user: SessionUser,
  classId: string,
  sessionId: string,
) {
  const db = services.database.db;
  const access = await classAccess(services, user, classId);
  if (!access.moderator) throw new PreauError('forbidden', 'teachers only');
  const session = await sessionOfClass(db, classId, sessionId);
  const roster = await rosterOf(db, classId);
  const rows = await attendanceOf(db, session.id);
  const sheet = attendanceSheet(roster, rows, session.endedAt ?? new Date());
  return { className: access.className, session: toSummary(session), sheet };
}

/** The attendance as a CSV file for spreadsheets: UTF-8 with a BOM, `;` between fields (French Excel). */
export function attendanceCsv(sheet: AttendanceSheet, locale: Locale): string {
  const t = translator(locale);
  const records = attendanceRecords(sheet, {
    headers: [
      t('live.attendance.who'),
      t('live.attendance.role'),
      t('live.attendance.came'),
      t('live.attendance.time'),
      t('live.attendance.minutes'),
      t('live.attendance.firstJoined'),
      t('live.attendance.lastLeft'),
      t('live.attendance.stays'),
    ],
    yes: t('live.attendance.yes'),
    no: t('live.attendance.no'),
    role: (role) => (role === 'teacher' ? t('live.room.teacher') : t('live.attendance.student')),
    reason: (reason) => (reason ? t(`live.reason.${reason}`) : '—'),
    still: t('live.attendance.still'),
    time: (iso) => dateTime(iso, locale),
    duration,
  });
  return stringify(records, { bom: true, delimiter: ';', record_delimiter: 'windows' });
}
