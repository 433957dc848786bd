import { describe, expect, it } from 'vitest';
import { attendanceRecords, attendanceSheet, type CsvWords } from './attendance';

const roster = [
  { personId: 'p_t', name: 'Claire Martin', role: 'teacher' as const },
  { personId: 'p_a', name: 'Emma Durand', tag: 'EED', role: 'student' as const },
  { personId: 'p_b', name: 'Emma Durand', tag: 'EED2', role: 'student' as const },
];
const rows = [
  {
    participantId: 'p_t',
    name: 'Claire Martin',
    joinedAt: '2026-12-05T08:00:00Z',
    leftAt: '2026-12-05T08:30:00Z',
    leaveReason: 'left' as const,
  },
  {
    participantId: 'p_t',
    name: 'Claire Martin',
    joinedAt: '2026-12-05T08:40:00Z',
    leftAt: null,
    leaveReason: null,
  },
  {
    participantId: 'p_x',
    name: 'Léo Roux',
    joinedAt: '2026-12-05T08:05:00Z',
    leftAt: '2026-12-05T08:10:00Z',
    leaveReason: 'removed' as const,
  },
];

describe('attendance', () => {
  const sheet = attendanceSheet(roster, rows, new Date('2026-12-05T09:00:00Z'));

  it('lists every member, present or absent, with the time present added up', () => {
    expect(
      sheet.lines.map((l) => [l.personId, l.stays.length, l.totalMs / 60_000, l.here]),
    ).toEqual([
      ['p_t', 2, 50, true],
      ['p_a', 0, 0, false],
      ['p_b', 0, 0, false],
      // Came, then left the class: still in the attendance.
      ['p_x', 1, 5, false],
    ]);
    expect([sheet.present, sheet.absent]).toEqual([2, 2]);
  });

  it('writes one CSV record per member, homonyms told apart', () => {
    const words: CsvWords = {
      headers: ['Nom', 'Rôle', 'Présent', 'Temps', 'Minutes', 'Arrivée', 'Départ', 'Passages'],
      yes: 'oui',
      no: 'non',
      role: (r) => r,
      reason: (r) => r ?? '',
      still: 'présent',
      time: (iso) => iso.slice(11, 16),
      duration: (ms) => `${ms / 60_000} min`,
    };
    const records = attendanceRecords(sheet, words);
    expect(records[0]![0]).toBe('Nom');
    expect(records[1]).toEqual([
      'Claire Martin',
      'teacher',
      'oui',
      '50 min',
      '50',
      '08:00',
      'présent',
      '08:00 → 08:30 (left), 08:40 → présent',
    ]);
    expect(records[2]!.slice(0, 3)).toEqual(['Emma Durand (EED)', 'student', 'non']);
    expect(records[3]![0]).toBe('Emma Durand (EED2)');
  });
});
