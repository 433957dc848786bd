import type {
  AttendanceLine,
  AttendanceRow,
  AttendanceSheet,
  LeaveReason,
  SpaceRole,
} from '@preau/protocol';
import { nameText, type ShownName } from './names';

/**
 * Builds the attendance of a session from the class's roster and the stays
 * recorded: members who never came are listed as absent; someone who came and
 * has since left the class is listed too (under the name they had then).
 */
export function attendanceSheet(
  roster: readonly (ShownName & { personId: string; role: SpaceRole })[],
  rows: readonly AttendanceRow[],
  asOf: Date,
  /** The role shown for someone who came and has since left the space. */
  formerRole: SpaceRole = 'student',
): AttendanceSheet {
  const stays = new Map<string, AttendanceRow[]>();
  for (const row of rows)
    stays.set(row.participantId, [...(stays.get(row.participantId) ?? []), row]);
  const known = new Set(roster.map((m) => m.personId));
  const former = [...stays.entries()]
    .filter(([id]) => !known.has(id))
    .map(([id, list]) => ({ personId: id, name: list[0]!.name, role: formerRole }));
  const lines = [...roster, ...former].map((member): AttendanceLine => {
    const mine = (stays.get(member.personId) ?? []).map(({ joinedAt, leftAt, leaveReason }) => ({
      joinedAt,
      leftAt,
      leaveReason,
    }));
    const totalMs = mine.reduce(
      (sum, s) =>
        sum +
        Math.max(0, (s.leftAt ? Date.parse(s.leftAt) : asOf.getTime()) - Date.parse(s.joinedAt)),
      0,
    );
    return { ...member, stays: mine, totalMs, here: mine.some((s) => !s.leftAt) };
  });
  const present = lines.filter((l) => l.stays.length > 0).length;
  return { lines, present, absent: lines.length - present };
}

/** The words a CSV needs, in the reader's language. */
export interface CsvWords {
  headers: [string, string, string, string, string, string, string, string];
  yes: string;
  no: string;
  role: (role: SpaceRole) => string;
  reason: (reason: LeaveReason | null) => string;
  still: string;
  time: (iso: string) => string;
  duration: (ms: number) => string;
}

/** The attendance as CSV records (header first), for a spreadsheet. */
export function attendanceRecords(sheet: AttendanceSheet, words: CsvWords): string[][] {
  const records = sheet.lines.map((l) => {
    const first = l.stays[0];
    const last = l.stays.at(-1);
    const stays = l.stays
      .map(
        (s) =>
          `${words.time(s.joinedAt)} → ${s.leftAt ? `${words.time(s.leftAt)} (${words.reason(s.leaveReason)})` : words.still}`,
      )
      .join(', ');
    return [
      nameText(l),
      words.role(l.role),
      l.stays.length > 0 ? words.yes : words.no,
      words.duration(l.totalMs),
      String(Math.round(l.totalMs / 60_000)),
      first ? words.time(first.joinedAt) : '',
      last ? (last.leftAt ? words.time(last.leftAt) : words.still) : '',
      stays,
    ];
  });
  return [[...words.headers], ...records];
}
