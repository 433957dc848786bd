import { describe, expect, it } from 'vitest';
import { sharedNames } from './names';

describe('names two people share', () => {
  it('finds them regardless of case and outer spaces, and only them', () => {
    const people = [{ name: 'Léa Bernard' }, { name: 'Hugo Petit' }, { name: 'léa bernard ' }];
    expect(sharedNames(people)).toEqual(new Set(['Léa Bernard', 'léa bernard ']));
    expect(sharedNames([{ name: 'Hugo Petit' }, { name: 'Hugo Petitjean' }])).toEqual(new Set());
  });
});
