import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './identity';

describe('return address after sign-in', () => {
  it('keeps local paths and refuses anything that leaves Préau', () => {
    expect(safeReturnTo('/classes/0350042K_3eA?x=1')).toBe('/classes/0350042K_3eA?x=1');
    for (const bad of [
      '//evil.example/',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '',
      null,
      undefined,
    ])
      expect(safeReturnTo(bad)).toBe('/');
  });
});
