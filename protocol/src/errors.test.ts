import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, PreauError, parseOrThrow, resultSchema, toErrorBody } from './errors';

describe('errors', () => {
  it('keeps the details of a PreauError and hides any other error', () => {
    expect(toErrorBody(new PreauError('forbidden', 'teachers only'))).toEqual({
      code: 'forbidden',
      message: 'teachers only',
    });
    expect(toErrorBody(new Error('password=hunter2 at db.ts:12'))).toEqual({ code: 'internal' });
  });

  it('recognises a PreauError made by another copy of this module (a bundle and the services)', async () => {
    vi.resetModules();
    const copy = await import('./errors');
    expect(copy.PreauError).not.toBe(PreauError);
    const foreign = new copy.PreauError('not_found', 'unknown space');
    expect(foreign instanceof PreauError).toBe(true);
    expect(toErrorBody(foreign)).toEqual({ code: 'not_found', message: 'unknown space' });
    expect(new Error('x') instanceof PreauError).toBe(false);
    expect({ code: 'forbidden' } instanceof PreauError).toBe(false);
  });

  it('turns a schema failure into bad_request naming each path', () => {
    const schema = z.object({ text: z.string().max(3), n: z.number() });
    try {
      parseOrThrow(schema, { text: 'trop long', n: 'x' });
      expect.unreachable();
    } catch (err) {
      const body = toErrorBody(err);
      expect(body.code).toBe('bad_request');
      expect(body.issues?.map((i) => i.path).sort()).toEqual(['n', 'text']);
    }
  });

  it('describes acks as a result union', () => {
    const ack = resultSchema(z.object({ id: z.string() }));
    expect(ack.safeParse({ ok: true, data: { id: 'a' } }).success).toBe(true);
    expect(ack.safeParse({ ok: false, error: { code: 'forbidden' } }).success).toBe(true);
    expect(ack.safeParse({ ok: false, error: { code: 'made_up' } }).success).toBe(false);
    expect(ERROR_CODES).toContain('internal');
  });
});
