import { z } from 'zod';

/** A configuration that could not be read; the message names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Shape = Record<string, z.ZodType>;

/**
 * Reads configuration once from an environment into a frozen, typed object.
 * Each key of `shape` is the environment variable's name; a bad value throws a
 * ConfigError naming every variable at fault (never its value: it may be a secret).
 */
export function readConfig<S extends Shape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<{ [K in keyof S]: z.infer<S[K]> }> {
  const parsed = z.object(shape).safeParse(pickKeys(env, Object.keys(shape)));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return Object.freeze(parsed.data) as Readonly<{ [K in keyof S]: z.infer<S[K]> }>;
}

function pickKeys(env: Record<string, string | undefined>, keys: string[]) {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** Helpers for common environment value types. */
export const env = {
  /** A TCP port; 0 asks the system for a free one. */
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  /** A positive integer. */
  int: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /** A count, zero included. */
  count: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  /** A boolean written as true/false/1/0. */
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .transform((v) => v === 'true' || v === '1')
      .default(fallback),
  /** A URL with one of the given schemes. */
  url: (...schemes: string[]) =>
    z
      .string()
      .url()
      .refine((u) => schemes.length === 0 || schemes.includes(new URL(u).protocol.slice(0, -1)), {
        message: `expected a URL with scheme ${schemes.join(' or ')}`,
      }),
  /** One of a fixed list of strings. */
  oneOf: <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.enum(values).default(fallback as never),
};
