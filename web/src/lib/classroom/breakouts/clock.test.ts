import { describe, expect, it } from 'vitest';
import { breakoutClock } from './clock';

describe('breakoutClock', () => {
  const end = '2026-12-05T10:10:00.000Z';
  const at = (iso: string) => Date.parse(iso);

  it('shows minutes and seconds left, without a warning while more than a minute is left', () => {
    expect(breakoutClock(end, at('2026-12-05T10:00:00.000Z'))).toEqual({
      text: '10:00',
      warn: false,
    });
    expect(breakoutClock(end, at('2026-12-05T10:08:59.500Z'))).toEqual({
      text: '1:01',
      warn: false,
    });
  });

  it('warns in the last minute, and stops at zero', () => {
    expect(breakoutClock(end, at('2026-12-05T10:09:00.000Z'))).toEqual({
      text: '1:00',
      warn: true,
    });
    expect(breakoutClock(end, at('2026-12-05T10:09:55.000Z'))).toEqual({
      text: '0:05',
      warn: true,
    });
    expect(breakoutClock(end, at('2026-12-05T10:11:00.000Z'))).toEqual({
      text: '0:00',
      warn: false,
    });
  });
});
