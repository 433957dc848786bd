import {
  ChatMessage,
  MEMBERSHIP_CHANNEL,
  MembershipChange,
  PERSON_ERASED_CHANNEL,
  PersonErasedNotice,
  PROTOCOL_VERSION,
  PreauError,
  SpaceChatAuth,
  SpaceChatClientEvents,
  type SpaceChatClientToServer,
  type SpaceChatServerToClient,
} from '@preau/protocol';
import type { CapabilityVerifier, Logger, VerifiedClaims } from '@preau/protocol/server';
import type { Fanout, Schema } from '@preau/storage';
import type { Kysely } from 'kysely';
import type { Namespace } from 'socket.io';
import { SocketCredentials } from '../credentials';
import { runEventHandler } from '../handlers/defineHandler';
import { RateLimiter, type RateRule } from '../handlers/RateLimiter';
import { limitUnknownEvents } from '../handlers/unknownEvents';
import { refusal } from '../handshake';
import type { NodeWriters } from '../session/writers';
import { SpaceChat } from './SpaceChat';
import { type SpaceChatContext, spaceChatHandlers } from './spaceChat.handlers';

/** What a socket of a space's chat carries once its handshake passed. */
export interface SpaceChatSocketData {
  claims: VerifiedClaims;
}

/** The namespace of spaces' chats, typed by the protocol. */
export type SpaceChatNamespace = Namespace<
  SpaceChatClientToServer,
  SpaceChatServerToClient,
  Record<string, never>,
  SpaceChatSocketData
>;

/** The spaces' chats as the classroom server holds them. */
export interface MountedSpaceChat {
  /** Resolves once membership changes are heard. */
  ready: Promise<void>;
  /** Hands an event of a live session's chat to those reading the space's chat outside it. */
  relayLive(space: string, sessionId: string, event: string, payload: unknown): void;
  close(): Promise<void>;
}

const spaceRoom = (space: string) => `space:${space}`;
const personRoom = (space: string, person: string) => `person:${space}:${person}`;

/**
 * Serves spaces' chats on one socket.io namespace: each connection shows a
 * capability token for one space (no session), joins that space's room, and
 * is dropped at once when the person leaves the space (MEMBERSHIP_CHANNEL).
 */
export function mountSpaceChat(
  nsp: SpaceChatNamespace,
  deps: {
    db: Kysely<Schema>;
    /** The node's writers (chat messages, hands: in batches). */
    writers: NodeWriters;
    verifier: CapabilityVerifier;
    log: Logger;
    fanout?: Fanout;
    rules: Record<string, RateRule>;
    tokenGraceMs: number;
  },
): MountedSpaceChat {
  const log = deps.log.child({ module: 'space-chat' });
  const chat = new SpaceChat({
    db: deps.db,
    writers: deps.writers,
    log,
    ...(deps.fanout ? { fanout: deps.fanout } : {}),
    outbox: {
      toSpace: (space: string, event: string, payload: unknown, exceptSocket?: string) => {
        const to = exceptSocket
          ? nsp.to(spaceRoom(space)).except(exceptSocket)
          : nsp.to(spaceRoom(space));
        (to.emit as (e: string, p: unknown) => boolean)(event, payload);
      },
    },
  });

  nsp.use((socket, next) => {
    authenticate(socket.handshake.auth, deps.verifier).then(
      (claims) => {
        socket.data = { claims };
        next();
      },
      (err: unknown) => {
        log.debug({ err }, 'chat connection refused');
        next(refusal(err));
      },
    );
  });

  nsp.on('connection', (socket) => {
    const { claims } = socket.data;
    void socket.join([spaceRoom(claims.space), personRoom(claims.space, claims.sub)]);
    const credentials = new SocketCredentials(claims, {
      verify: deps.verifier,
      sessionId: '',
      graceMs: deps.tokenGraceMs,
      onLapse: () => {
        socket.emit('chat.closed', { reason: 'expired' });
        socket.disconnect(true);
      },
    });
    const ctx: SpaceChatContext = {
      actor: {
        participantId: claims.sub,
        name: claims.name,
        space: claims.space,
        rights: claims.rights,
        socketId: socket.id,
      },
      chat,
      credentials,
    };
    const limiter = new RateLimiter(deps.rules);
    const known = new Set<string>(spaceChatHandlers.map((h) => h.event));
    for (const handler of spaceChatHandlers) {
      socket.on(handler.event, (async (...args: unknown[]) => {
        const ack = args.at(-1);
        if (typeof ack !== 'function') return;
        const payload = args.length > 1 ? args[0] : undefined;
        ack(
          await runEventHandler(
            SpaceChatClientEvents,
            handler as never,
            ctx,
            limiter,
            payload,
            log,
          ),
        );
      }) as never);
    }
    limitUnknownEvents(socket, known, limiter);
    socket.on('disconnect', () => credentials.dispose());
  });

  const membership = deps.fanout?.subscribe(MEMBERSHIP_CHANNEL, (message) => {
    const change = MembershipChange.safeParse(safeJson(message));
    if (!change.success) return log.warn('unreadable membership change');
    if (change.data.change !== 'removed') return;
    // Every node hears the fan-out: each acts on its own sockets only.
    const room = nsp.local.to(personRoom(change.data.space, change.data.person));
    room.emit('chat.closed', { reason: 'removed' });
    room.disconnectSockets(true);
  });

  // An erased person's messages leave the screens of every space chat open now.
  const erasures = deps.fanout?.subscribe(PERSON_ERASED_CHANNEL, (message) => {
    const notice = PersonErasedNotice.safeParse(safeJson(message));
    if (!notice.success) return log.warn('unreadable erasure notice');
    nsp.local.emit('chat.authorErased', { participantId: notice.data.person });
  });

  return {
    ready: Promise.all([membership, erasures]).then(() => undefined),
    relayLive(space, sessionId, event, payload) {
      const room = nsp.to(spaceRoom(space));
      if (event === 'chat.message' || event === 'chat.edited') {
        const m = ChatMessage.parse(payload);
        room.emit(event, { ...m, editedAt: m.editedAt ?? null, mentions: [], sessionId });
      } else if (event === 'chat.deleted') {
        room.emit('chat.deleted', payload as { messageId: string });
      }
    },
    async close() {
      if (membership) await (await membership)();
      if (erasures) await (await erasures)();
      nsp.disconnectSockets(true);
    },
  };
}

/** Checks a connection: protocol version, token (signature, audience, expiry), the right to read. */
async function authenticate(auth: unknown, verifier: CapabilityVerifier): Promise<VerifiedClaims> {
  const parsed = SpaceChatAuth.safeParse(auth);
  if (!parsed.success) throw new PreauError('unauthenticated', 'a capability token is required');
  if (parsed.data.protocol !== PROTOCOL_VERSION)
    throw new PreauError(
      'protocol_mismatch',
      `protocol ${parsed.data.protocol} is not ${PROTOCOL_VERSION}: reload the page`,
    );
  const claims = await verifier(parsed.data.token);
  if (claims.session !== undefined || claims.doc !== undefined)
    throw new PreauError('forbidden', 'this token is for a session or a document');
  if (!claims.rights.includes('read')) throw new PreauError('forbidden', 'no right to read');
  return claims;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
