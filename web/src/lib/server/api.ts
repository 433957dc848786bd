import {
  type ErrorCode,
  JSON_BODY_LIMITS,
  type PlatformRole,
  PreauError,
  parseOrThrow,
  type SessionUser,
  toErrorBody,
} from '@preau/protocol';
import type { RequestEvent } from '@sveltejs/kit';
import type { z } from 'zod';

/** HTTP status of each error code of the catalogue. */
export const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  session_locked: 423,
  session_ended: 410,
  chat_muted: 403,
  chat_closed: 403,
  waiting_room: 403,
  protocol_mismatch: 400,
  unavailable: 503,
  busy: 503,
  internal: 500,
};

/** `{ ok: true, data }` as JSON. */
export function ok<T>(data: T, status = 200): Response {
  return Response.json({ ok: true, data }, { status, headers: { 'cache-control': 'no-store' } });
}

/** `{ ok: false, error }` as JSON, with the status of its code; only PreauError details leak. */
export function fail(err: unknown): Response {
  const error = toErrorBody(err);
  return Response.json(
    { ok: false, error },
    { status: STATUS[error.code], headers: { 'cache-control': 'no-store' } },
  );
}

/**
 * Wraps an API handler: whatever it returns is sent as `{ ok: true, data }`,
 * whatever it throws as `{ ok: false, error }` (unknown errors are logged and
 * reported as `internal`). A client that went away before the answer (a
 * phone losing the network mid-upload: its body's stream fails) is no fault
 * of the server: logged at info level, not as an error someone is paged for.
 */
export function api<E extends RequestEvent, T>(handler: (event: E) => Promise<T>) {
  return async (event: E): Promise<Response> => {
    try {
      const data = await handler(event);
      return data instanceof Response ? data : ok(data);
    } catch (err) {
      const log = event.locals.services.log;
      const path = event.url.pathname;
      if (event.request.signal.aborted) log.info({ err, path }, 'API client went away');
      else if (!(err instanceof PreauError)) log.error({ err, path }, 'API handler failed');
      return fail(err);
    }
  };
}

/**
 * A request's raw body, refused with `too_large` once past `maxBytes`: at
 * once when its declared length says so, else as soon as the bytes read
 * pass the limit (a chunked body declares none), never read whole first.
 * Routes that take a body from anyone signed in call it only after the
 * caller's access is checked.
 */
export async function readBody(
  request: Request,
  maxBytes: number,
  what = 'the body',
): Promise<Uint8Array> {
  const tooLarge = () => new PreauError('too_large', `${what} is limited to ${maxBytes} bytes`);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  // Left unread, not cancelled: cancelling would close the connection before
  // the 413 is sent; the server drops the rest once the answer is out.
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Parses a JSON body with a shared schema; anything else is a typed
 * `bad_request`. A body over `maxBytes` (JSON_BODY_LIMITS) is refused with
 * `too_large` before it is read whole or parsed (see `readBody`).
 */
export async function readJson<T extends z.ZodType>(
  request: Request,
  schema: T,
  maxBytes: number = JSON_BODY_LIMITS.default,
): Promise<z.infer<T>> {
  if (!(request.headers.get('content-type') ?? '').startsWith('application/json'))
    throw new PreauError('bad_request', 'expected application/json');
  const bytes = await readBody(request, maxBytes);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new PreauError('bad_request', 'malformed JSON');
  }
  return parseOrThrow(schema, body);
}

/** The signed-in user, or a typed `unauthenticated` error. */
export function requireUser(locals: App.Locals): SessionUser {
  if (!locals.user) throw new PreauError('unauthenticated', 'sign in first');
  return locals.user;
}

/** The signed-in user holding one of `roles`, or `forbidden`. */
export function requireRole(locals: App.Locals, ...roles: PlatformRole[]): SessionUser {
  const user = requireUser(locals);
  if (!roles.some((r) => user.roles.includes(r)))
    throw new PreauError('forbidden', 'this needs another role');
  return user;
}
