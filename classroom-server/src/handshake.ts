import {
  CLOSE_CODES,
  ClassroomAuth,
  type ConnectRefusal,
  type ErrorCode,
  PROTOCOL_VERSION,
  PreauError,
  toErrorBody,
} from '@preau/protocol';
import type { CapabilityVerifier, VerifiedClaims } from '@preau/protocol/server';
import type { SessionRegistry } from './session/SessionRegistry';

/** What a socket carries once its handshake passed. */
export interface SocketData {
  claims: VerifiedClaims;
  sessionId: string;
}

/**
 * Checks a connection before anything is allocated for it: the protocol
 * version, the capability token (signature, issuer, audience, expiry), that
 * the token is for this session's space (and for this session, when it names
 * one), and that the session can be joined.
 */
export async function authenticate(
  auth: unknown,
  verifier: CapabilityVerifier,
  registry: Pick<SessionRegistry, 'open'> | { open(sessionId: string): Promise<{ space: string }> },
): Promise<SocketData> {
  const token = (auth as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token === '') {
    throw new PreauError('unauthenticated', 'a capability token is required');
  }
  const parsed = ClassroomAuth.safeParse(auth);
  if (!parsed.success) throw new PreauError('unauthenticated', 'unreadable handshake');
  if (parsed.data.protocol !== PROTOCOL_VERSION) {
    throw new PreauError(
      'protocol_mismatch',
      `protocol ${parsed.data.protocol} is not ${PROTOCOL_VERSION}: reload the page`,
    );
  }
  const claims = await verifier(parsed.data.token);
  const sessionId = parsed.data.session;
  if (claims.session !== undefined && claims.session !== sessionId) {
    throw new PreauError('forbidden', 'this token is for another session');
  }
  if (!claims.rights.includes('read')) throw new PreauError('forbidden', 'no right to attend');
  const session = await registry.open(sessionId);
  if (session.space !== claims.space) {
    throw new PreauError('forbidden', 'this token is for another space');
  }
  return { claims, sessionId };
}

const CLOSE_FOR: Partial<Record<ErrorCode, number>> = {
  unauthenticated: CLOSE_CODES.unauthenticated,
  bad_request: CLOSE_CODES.unauthenticated,
  forbidden: CLOSE_CODES.forbidden,
  session_locked: CLOSE_CODES.forbidden,
  not_found: CLOSE_CODES.notFound,
  session_ended: CLOSE_CODES.notFound,
  protocol_mismatch: CLOSE_CODES.protocolMismatch,
  too_large: CLOSE_CODES.tooLarge,
  rate_limited: CLOSE_CODES.rateLimited,
  busy: CLOSE_CODES.busy,
};

/** The error socket.io sends as `connect_error`: its message is the code, its data a ConnectRefusal. */
export function refusal(err: unknown): Error & { data: ConnectRefusal } {
  const body = toErrorBody(err);
  const error = new Error(body.code) as Error & { data: ConnectRefusal };
  error.data = {
    code: body.code,
    ...(body.message ? { message: body.message } : {}),
    close: CLOSE_FOR[body.code] ?? CLOSE_CODES.serverShutdown,
    ...(body.retryAfterSeconds ? { retryAfterSeconds: body.retryAfterSeconds } : {}),
  };
  return error;
}
