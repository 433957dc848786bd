import fc from 'fast-check';
import type { z } from 'zod';
import { ERROR_CODES } from '../errors';

// Generators of malformed input for property tests and the fuzz benchmark:
// what a broken or hostile client sends to a socket event or a JSON endpoint.

/** Strings that tend to break parsers and queries: long, odd, or shaped like ids. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '../../etc/passwd',
    "'; DROP TABLE person; --",
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    'class_',
    'group_x',
    'p_demo',
    '💥'.repeat(50),
    '9'.repeat(400),
  ),
  fc.string({ minLength: 5_000, maxLength: 12_000 }),
);

/** Any value a JSON decoder or socket.io may hand a handler, nested a few levels deep. */
export const junkValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308),
    nastyString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.oneof(nastyString, fc.constantFrom('text', 'id', 'space', 'kind', 'name', 'personIds')),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

/**
 * Values that `schema` rejects, as sent and as they arrive: a value that
 * becomes valid once serialised (`{ a: undefined }` arrives as `{}`) is a
 * valid request, not a malformed one.
 */
export function malformedFor(schema: z.ZodType): fc.Arbitrary<unknown> {
  return junkValue.filter(
    (value) => !schema.safeParse(value).success && !schema.safeParse(onTheWire(value)).success,
  );
}

/** What a JSON-based transport delivers of a value (undefined stays undefined). */
function onTheWire(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

/** Bodies a JSON endpoint may receive: broken JSON text, or JSON of malformed values. */
export function malformedJsonBody(schema?: z.ZodType): fc.Arbitrary<string> {
  const values = schema ? malformedFor(schema) : junkValue;
  return fc.oneof(
    values.map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom('{', '{"a":', '[1,2', 'nul', '"unterminated', '{"a":1}}', '\u0000', ''),
    fc.string({ maxLength: 200 }),
    // Deep nesting: a recursive parser's stack, not the network, should give up first.
    fc.integer({ min: 1_000, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  );
}

/** Whether an answer is the protocol's typed error, with a catalogue code other than `internal`. */
export function isTypedRefusal(answer: unknown): boolean {
  if (typeof answer !== 'object' || answer === null) return false;
  const { ok, error } = answer as { ok?: unknown; error?: { code?: unknown } };
  return (
    ok === false &&
    typeof error?.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(error.code) &&
    error.code !== 'internal'
  );
}
