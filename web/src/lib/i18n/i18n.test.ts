import { describe, expect, it } from 'vitest';
import { CATALOGUES, pickLocale, translator } from '../i18n';

describe('i18n', () => {
  it('has the same keys in English as in French, none empty', () => {
    expect(Object.keys(CATALOGUES.en).sort()).toEqual(Object.keys(CATALOGUES.fr).sort());
    for (const value of [...Object.values(CATALOGUES.en), ...Object.values(CATALOGUES.fr)]) {
      expect(value.trim()).not.toBe('');
    }
  });

  it('defaults to French and accepts only known locales', () => {
    expect(pickLocale(undefined)).toBe('fr');
    expect(pickLocale('de')).toBe('fr');
    expect(pickLocale('en')).toBe('en');
    expect(translator('fr')('home.title')).toBe('Bienvenue sur Préau');
  });
});
