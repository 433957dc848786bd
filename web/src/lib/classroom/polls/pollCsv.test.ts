import type { PollResults, PollView } from '@preau/protocol';
import { describe, expect, it } from 'vitest';
import { pollCsv } from './pollCsv.server';

const poll = (kind: PollView['kind'], options: string[], anonymous: boolean): PollView => ({
  pollId: 'poll_1',
  kind,
  question: 'Une question ; avec "guillemets"',
  options,
  anonymous,
  state: 'closed',
  published: false,
  createdAt: '2026-12-05T10:00:00.000Z',
  closedAt: '2026-12-05T10:05:00.000Z',
});

describe('a poll’s results as CSV', () => {
  it('is UTF-8 with a BOM and `;` separators, quoting what needs it, with each person’s answer for a named poll', () => {
    const results: PollResults = {
      pollId: 'poll_1',
      respondents: 2,
      counts: [1, 1],
      texts: [],
      named: [
        { participantId: 'p_a', name: 'Léa Martin', choices: [0], text: null },
        { participantId: 'p_b', name: 'Noé Petit', choices: [1], text: null },
      ],
    };
    const csv = pollCsv(poll('yes_no', ['Oui', 'Non'], false), results, 'fr');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe('Question;"Une question ; avec ""guillemets"""');
    expect(lines).toContain('Oui;1');
    expect(lines).toContain('Non;1');
    expect(lines).toContain('Léa Martin;Oui');
    expect(lines).toContain('Nombre de réponses;2');
    expect(pollCsv(poll('yes_no', ['Oui', 'Non'], false), results, 'en')).toContain('Yes;1');
  });

  it('lists an anonymous poll’s free texts without any name', () => {
    const results: PollResults = {
      pollId: 'poll_1',
      respondents: 2,
      counts: [],
      texts: ['clair', 'trop rapide'],
    };
    const lines = pollCsv(poll('text', [], true), results, 'fr')
      .slice(1)
      .split('\r\n');
    expect(lines).toEqual(
      expect.arrayContaining(['Réponse', 'clair', 'trop rapide', 'Nombre de réponses;2']),
    );
    expect(lines.join('\n')).not.toContain('Participant');
  });
});
