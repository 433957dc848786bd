import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, env, readConfig } from './config';

const shape = {
  PORT: env.port(3000),
  REDIS_URL: env.url('redis').optional(),
  DEBUG: env.bool(false),
};

describe('readConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = readConfig(shape, {});
    expect(config).toEqual({ PORT: 3000, DEBUG: false });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('coerces values from strings', () => {
    expect(
      readConfig(shape, { PORT: '8080', DEBUG: 'true', REDIS_URL: 'redis://127.0.0.1:6379' }),
    ).toEqual({
      PORT: 8080,
      DEBUG: true,
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
  });

  it('names every bad variable and never echoes its value', () => {
    const read = () => readConfig(shape, { PORT: '99999', REDIS_URL: 'http://secret-host' });
    expect(read).toThrow(ConfigError);
    try {
      read();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('REDIS_URL');
      expect(message).not.toContain('secret-host');
    }
  });

  it('ignores variables it was not asked for', () => {
    expect(readConfig({ A: z.string().default('x') }, { B: 'y' })).toEqual({ A: 'x' });
  });
});
