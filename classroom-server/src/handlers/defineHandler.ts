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
import type { SocketCredentials } from '../credentials';
import type { LiveSession } from '../session/LiveSession';
import type { SessionRegistry } from '../session/SessionRegistry';
import type { Actor } from '../session/types';
import type { RateLimiter } from './RateLimiter';

/** Event groups that share a rate limit. */
export type RateGroup = 'session' | 'chat' | 'hands' | 'moderation' | 'media';

/** What a handler sees of its socket. */
export interface SocketContext {
  readonly actor: Actor;
  readonly sessionId: string;
  readonly registry: SessionRegistry;
  /** The socket's token and when it lapses. */
  readonly credentials: SocketCredentials;
  /** Drops the connection so the client comes back at once with a fresh token. */
  reconnect(): void;
  /** Set once `session.join` succeeded on this socket. */
  session: LiveSession | null;
}

type Request<E extends ClientEventName> = z.infer<(typeof ClientEventSchemas)[E]['request']>;

/** One client event: the right it needs, its limits, and what it does with a valid payload. */
export interface Handler<E extends ClientEventName> {
  event: E;
  /** Checked against the token's rights before the payload is even read. */
  right: Right;
  rate: RateGroup;
  /** Serialised payload ceiling; defaults to CLASSROOM_LIMITS.eventBytes. */
  maxBytes?: number;
  handle(ctx: SocketContext, payload: Request<E>): Promise<ClientResponse<E>> | ClientResponse<E>;
}

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
  limiter: RateLimiter,
  payload: unknown,
  log: Logger,
): Promise<Result<ClientResponse<E>>> {
  try {
    if (payloadBytes(payload) > (handler.maxBytes ?? CLASSROOM_LIMITS.eventBytes)) {
      throw new PreauError('too_large', 'payload too large');
    }
    if (!limiter.take(handler.rate)) throw new PreauError('rate_limited', 'slow down');
    if (!ctx.actor.rights.includes(handler.right)) {
      throw new PreauError('forbidden', `needs the ${handler.right} right`);
    }
    const input = parseOrThrow(ClientEventSchemas[handler.event].request, payload) as Request<E>;
    return { ok: true, data: await handler.handle(ctx, input) };
  } catch (err) {
    if (!(err instanceof PreauError)) {
      log.error({ err, event: handler.event }, 'handler failed');
    }
    return { ok: false, error: toErrorBody(err) };
  }
}

function payloadBytes(payload: unknown): number {
  if (payload === undefined) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(payload) ?? '');
  } catch {
    // Not JSON (a BigInt, a cycle): not something this protocol carries.
    throw new PreauError('bad_request', 'payload is not JSON');
  }
}
