import { describe, expect, it } from 'vitest';
import { loginInitials, nameText, tellApart } from './names';

describe('telling homonyms apart', () => {
  it('tags only the people who share a name, accents and case aside', () => {
    const tags = tellApart([
      { id: 'a', name: 'Emma Durand', login: 'eleve.emma.durand' },
      { id: 'b', name: 'émma  durand', login: 'eleve.emma.durand2' },
      { id: 'c', name: 'Hugo Petit', login: 'eleve.hugo.petit' },
    ]);
    expect(tags).toEqual(
      new Map([
        ['a', 'EED'],
        ['b', 'EED2'],
      ]),
    );
    expect(nameText({ name: 'Emma Durand', tag: tags.get('b') })).toBe('Emma Durand (EED2)');
    expect(nameText({ name: 'Hugo Petit' })).toBe('Hugo Petit');
  });

  it('prefers the class when it differs, and falls back to the login when initials collide', () => {
    expect(
      tellApart([
        { id: 'a', name: 'Léo Roux', login: 'l.roux', classes: '3e A' },
        { id: 'b', name: 'Léo Roux', login: 'leo.roux', classes: '4e B' },
      ]),
    ).toEqual(
      new Map([
        ['a', '3e A'],
        ['b', '4e B'],
      ]),
    );
    expect(
      tellApart([
        { id: 'a', name: 'Léo Roux', login: 'lroux' },
        { id: 'b', name: 'Léo Roux', login: 'lrx' },
      ]),
    ).toEqual(
      new Map([
        ['a', 'lroux'],
        ['b', 'lrx'],
      ]),
    );
  });

  it('keeps the digits of a login in its initials', () => {
    expect(loginInitials('eleve.lea.bernard12')).toBe('ELB12');
  });
});
