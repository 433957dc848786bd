import { z } from 'zod';

/**
 * The catalogue of error codes a client may see. Anything else is reported as
 * `internal` so no server detail leaks to the browser.
 */
export const ERROR_CODES = [
  'bad_request',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'rate_limited',
  'session_locked',
  'session_ended',
  'chat_muted',
  'chat_closed',
  'waiting_room',
  'protocol_mismatch',
  'unavailable',
  // A node at capacity: try again after `retryAfterSeconds` (admission control).
  'busy',
  'internal',
] as const;

/** One error code from the catalogue. */
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The error body every API and socket ack uses. */
export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** With `busy`: how long to wait before trying again (the client adds its own jitter). */
  retryAfterSeconds: z.number().int().positive().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Ack/response shape: `{ ok: true, data }` or `{ ok: false, error }`. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** Builds the schema of a `Result<T>` for a given data schema. */
export function resultSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: ErrorBody }),
  ]);
}

/** Marks a PreauError whichever copy of this module made it (see `Symbol.hasInstance`). */
const PREAU_ERROR = Symbol.for('preau.error');

/** An error the server raises on purpose; its code and message may reach the client. */
export class PreauError extends Error {
  override readonly name = 'PreauError';
  readonly [PREAU_ERROR] = true;

  /**
   * The built web app bundles its own copy of this package while the
   * application services (web/server) load another: a refusal raised by a
   * service must still be recognised by the edge that answers it.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [PREAU_ERROR]?: unknown })[PREAU_ERROR] === true
    );
  }
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly issues?: ErrorBody['issues'],
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? code);
  }

  /** The body sent to clients. */
  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.retryAfterSeconds ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
    };
  }
}

/** A node at capacity: `busy`, to be tried again after `retryAfterSeconds` (at least 1). */
export function busyError(
  retryAfterSeconds: number,
  message = 'busy: try again later',
): PreauError {
  return new PreauError('busy', message, undefined, Math.max(1, Math.ceil(retryAfterSeconds)));
}

/** Turns any thrown value into a body safe to send: only PreauError keeps its details. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof PreauError) return err.toBody();
  return { code: 'internal' };
}

/** Converts a zod failure into a `bad_request` error naming each bad path. */
export function fromZodError(error: z.ZodError): PreauError {
  return new PreauError(
    'bad_request',
    'invalid input',
    error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

/** Parses `input` with `schema`, throwing a typed `bad_request` on failure. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/**
 * WebSocket close codes (4000–4999 is the application range), shared by the
 * realtime servers and the browser.
 */
export const CLOSE_CODES = {
  unauthenticated: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooLarge: 4413,
  rateLimited: 4429,
  protocolMismatch: 4426,
  serverShutdown: 4503,
  // WebSocket's own 1013 "try again later", in the application range.
  busy: 4013,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/**
 * The largest JSON body each kind of API request may send, in bytes: refused
 * with `too_large` (HTTP 413) before it is read whole or parsed. Every act is
 * a few fields (16 KiB is generous); a directory import carries its CSV,
 * up to the server's overall cap on a request body (12 MiB).
 */
export const JSON_BODY_LIMITS = {
  default: 16 * 1024,
  directoryImport: 12 * 1024 * 1024,
} as const;
