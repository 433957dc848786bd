import { describe, expect, it } from 'vitest';
import { activeMention, mentionsIn } from './mentions';

const members = [
  { personId: 'p1', displayName: 'Léa Bernard' },
  { personId: 'p2', displayName: 'Jean-Marc N’Diaye' },
];

describe('mentions in the chat composer', () => {
  it('finds the "@…" being typed before the caret, not an e-mail address', () => {
    expect(activeMention('Bonjour @Lé', 11)).toEqual({ start: 8, query: 'Lé' });
    expect(activeMention('@', 1)).toEqual({ start: 0, query: '' });
    expect(activeMention('Bonjour @Léa Ber', 16)).toEqual({ start: 8, query: 'Léa Ber' });
    expect(activeMention('ecrire a lea@ecole.fr', 21)).toBeNull();
    expect(activeMention('Bonjour @Lé', -1)).toBeNull();
    expect(activeMention('Bonjour', 7)).toBeNull();
  });

  it('keeps the members still named in the text, each once', () => {
    expect(mentionsIn('@Léa Bernard et @Jean-Marc N’Diaye, puis @Léa Bernard', members)).toEqual([
      'p1',
      'p2',
    ]);
    expect(mentionsIn('Léa Bernard sans arobase', members)).toEqual([]);
  });
});
