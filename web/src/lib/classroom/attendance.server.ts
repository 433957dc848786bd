import type { AttendanceSheet } from '@preau/protocol';
import { stringify } from 'csv-stringify/sync';
import { type Locale, translator } from '#lib/i18n';
import { dateTime, duration } from '#lib/time';
import { attendanceRecords } from './attendance';

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
    role: (role) => t(`spacePage.role.${role}`),
    reason: (reason) => (reason ? t(`live.reason.${reason}`) : '—'),
    still: t('live.attendance.still'),
    time: (iso) => dateTime(iso, locale),
    duration,
  });
  return stringify(records, { bom: true, delimiter: ';', record_delimiter: 'windows' });
}
