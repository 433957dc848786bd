import { describe, expect, it } from 'vitest';
import { pickLocale, translator } from '../i18n';
import { en } from './en';
import { fr } from './fr';

describe('i18n', () => {
  it('has the same keys in English as in French, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    for (const value of [...Object.values(en), ...Object.values(fr)])
      expect(value.trim()).not.toBe('');
  });

  it('defaults to French and accepts only known locales', () => {
    expect(pickLocale(undefined)).toBe('fr');
    expect(pickLocale('de')).toBe('fr');
    expect(pickLocale('en')).toBe('en');
    expect(translator('fr')('home.title')).toBe('Bienvenue sur Préau');
  });
});
