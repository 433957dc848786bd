import {
  CLASSROOM_LIMITS,
  type ClientEventName,
  ClientEventSchemas,
  type ClientResponse,
  PreauError,
  parseOrThrow,
  type Result,
  type Right,
  toErrorBody,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import type { z } from 'zod';
import type { Admission } from '../admission';
import type { SocketCredentials } from '../credentials';
import type { LiveSession } from '../session/LiveSession';
import type { SessionRegistry } from '../session/SessionRegistry';
import type { Actor } from '../session/types';
import type { RateLimiter } from './RateLimiter';

/** Event groups that share a rate limit. */
export type RateGroup = 'session' | 'chat' | 'hands' | 'moderation' | 'media' | 'read';

/** A map of client events to their payload and ack schemas (live sessions, a space's chat). */
export type EventSchemas = Record<string, { request: z.ZodType; response: z.ZodType }>;

/** What a handler sees of its socket. */
export interface SocketContext {
  readonly actor: Actor;
  readonly sessionId: string;
  readonly registry: SessionRegistry;
  /** The node's admission control (joins take a slot while they are served). */
  readonly admission: Admission;
  /** The socket's token and when it lapses. */
  readonly credentials: Pick<SocketCredentials, 'expiresAt' | 'renew'>;
  /** Drops the connection so the client comes back at once with a fresh token. */
  reconnect(): void;
  /** Set once `session.join` succeeded on this socket. */
  session: LiveSession | null;
}

type RequestOf<M extends EventSchemas, E extends keyof M> = z.infer<M[E]['request']>;
type ResponseOf<M extends EventSchemas, E extends keyof M> = z.infer<M[E]['response']>;

/** One event of a map `M`, handled with a context `C`: the right it needs, its limits, what it does. */
export interface EventHandler<M extends EventSchemas, E extends keyof M & string, C> {
  event: E;
  /** Checked against the token's rights before the payload is even read. */
  right: Right;
  rate: RateGroup;
  /** Serialised payload ceiling; defaults to CLASSROOM_LIMITS.eventBytes. */
  maxBytes?: number;
  handle(ctx: C, payload: RequestOf<M, E>): Promise<ResponseOf<M, E>> | ResponseOf<M, E>;
}

/** One client event of live sessions. */
export type Handler<E extends ClientEventName> = EventHandler<
  typeof ClientEventSchemas,
  E,
  SocketContext
>;

/** Any handler, for lists. */
export type AnyHandler = { [E in ClientEventName]: Handler<E> }[ClientEventName];

/** Declares a handler with its event's schema (typing only; validation happens in `runHandler`). */
export function defineHandler<E extends ClientEventName>(handler: Handler<E>): Handler<E> {
  return handler;
}

/** The session this socket joined, or a typed error. */
export function joined(ctx: SocketContext): LiveSession {
  if (!ctx.session) throw new PreauError('conflict', 'join the session first');
  return ctx.session;
}

/**
 * Runs one event through the edge checks, in order: size, rate, right,
 * schema; then the handler. Whatever happens, the answer is a Result whose
 * error carries only a catalogue code; nothing changes unless all checks pass.
 */
export async function runHandler<E extends ClientEventName>(
  handler: Handler<E>,
  ctx: SocketContext,
  limiter: Pick<RateLimiter, 'take'>,
  payload: unknown,
  log: Logger,
): Promise<Result<ClientResponse<E>>> {
  return runEventHandler(ClientEventSchemas, handler, ctx, limiter, payload, log);
}

/** `runHandler` for any event map whose context names an actor with rights. */
export async function runEventHandler<
  M extends EventSchemas,
  E extends keyof M & string,
  C extends { readonly actor: { readonly rights: readonly Right[] } },
>(
  schemas: M,
  handler: EventHandler<M, E, C>,
  ctx: C,
  limiter: Pick<RateLimiter, 'take'>,
  payload: unknown,
  log: Logger,
): Promise<Result<ResponseOf<M, E>>> {
  try {
    edgeChecks(handler, limiter, payload);
    if (!ctx.actor.rights.includes(handler.right)) {
      throw new PreauError('forbidden', `needs the ${handler.right} right`);
    }
    const input = parseOrThrow(schemas[handler.event]!.request, payload) as RequestOf<M, E>;
    return { ok: true, data: await handler.handle(ctx, input) };
  } catch (err) {
    if (!(err instanceof PreauError)) {
      log.error({ err, event: handler.event }, 'handler failed');
    }
    return { ok: false, error: toErrorBody(err) };
  }
}

/**
 * The checks a socket's own node makes before an event goes anywhere: size,
 * then rate. Throws a PreauError. (Rights and schema follow where it runs.)
 */
export function edgeChecks(
  handler: { rate: RateGroup; maxBytes?: number },
  limiter: Pick<RateLimiter, 'take'>,
  payload: unknown,
): void {
  if (payloadBytes(payload) > (handler.maxBytes ?? CLASSROOM_LIMITS.eventBytes)) {
    throw new PreauError('too_large', 'payload too large');
  }
  if (!limiter.take(handler.rate)) throw new PreauError('rate_limited', 'slow down');
}

/** A limiter that lets everything through: the socket's own node limited it already. */
export const ALREADY_LIMITED: Pick<RateLimiter, 'take'> = { take: () => true };

function payloadBytes(payload: unknown): number {
  if (payload === undefined) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(payload) ?? '');
  } catch {
    // Not JSON (a BigInt, a cycle): not something this protocol carries.
    throw new PreauError('bad_request', 'payload is not JSON');
  }
}
