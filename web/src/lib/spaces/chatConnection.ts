import {
  CLASSROOM_SOCKET_PATH,
  type ConnectRefusal,
  type ErrorCode,
  PROTOCOL_VERSION,
  type Result,
  SPACE_CHAT_NAMESPACE,
  type SpaceChatClientToServer,
  type SpaceChatEventName,
  type SpaceChatMessage,
  type SpaceChatRequest,
  type SpaceChatResponse,
  type SpaceChatServerToClient,
  type TokenResponse,
} from '@preau/protocol';
import { io, type Socket } from 'socket.io-client';
import { callApi } from '#lib/api';
import { tokenExpiry } from '#lib/classroom/connection';

/** A request the server refused, or that could not be sent (offline, no answer in time). */
export class ChatRequestError extends Error {
  override readonly name = 'ChatRequestError';
  constructor(readonly code: ErrorCode | 'offline' | 'timeout') {
    super(code);
  }
}

/** Where the chat's connection stands. */
export type ChatState = 'connecting' | 'connected' | 'offline' | 'closed';

/** What the page hears from the chat. */
export interface ChatListeners {
  state(state: ChatState): void;
  /** After each (re)connection: the page reloads the latest history. */
  connected(): void;
  message(m: SpaceChatMessage): void;
  edited(m: SpaceChatMessage): void;
  deleted(messageId: string): void;
  /** A person was erased: drop every message of theirs. */
  authorErased(participantId: string): void;
}

const REQUEST_TIMEOUT_MS = 10_000;
const RENEW_BEFORE_MS = 60_000;
/** Refusals a new attempt will not fix. */
const FINAL: ReadonlySet<string> = new Set(['forbidden', 'not_found', 'protocol_mismatch']);

/** A fresh capability token for the space's chat (no session): they live minutes. */
async function fetchToken(space: string): Promise<string> {
  const result = await callApi<TokenResponse>('/api/tokens', {
    body: { audience: 'preau:classroom', space },
  });
  if (!result.ok) throw new ChatRequestError(result.error.code);
  return result.data.token;
}

/**
 * The browser's socket to a space's chat (the classroom server's
 * /space-chat namespace): a fresh token at each (re)connection and before
 * it lapses, typed requests that fail loudly when offline, typed events.
 */
export class SpaceChatConnection {
  readonly #space: string;
  readonly #on: ChatListeners;
  #socket: Socket<SpaceChatServerToClient, SpaceChatClientToServer> | null = null;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(space: string, listeners: ChatListeners) {
    this.#space = space;
    this.#on = listeners;
  }

  /** Connects (in the browser only). */
  open(): void {
    const socket: Socket<SpaceChatServerToClient, SpaceChatClientToServer> = io(
      SPACE_CHAT_NAMESPACE,
      {
        path: CLASSROOM_SOCKET_PATH,
        transports: ['websocket'],
        // As the live page: back within about two seconds of a server restart.
        reconnectionDelay: 250,
        reconnectionDelayMax: 1500,
        randomizationFactor: 0.3,
        auth: (cb) => {
          fetchToken(this.#space).then(
            (token) => {
              this.#scheduleRenewal(token);
              cb({ token, protocol: PROTOCOL_VERSION });
            },
            () => cb({ token: '', protocol: PROTOCOL_VERSION }),
          );
        },
      },
    );
    this.#socket = socket;
    this.#on.state('connecting');
    socket.on('connect', () => {
      this.#on.state('connected');
      this.#on.connected();
    });
    socket.on('disconnect', (reason) => {
      if (this.#closed) return;
      this.#on.state('offline');
      // socket.io comes back by itself unless the server closed the socket
      // (a lapsed token, a restart): then we ask again with a fresh token.
      if (reason === 'io server disconnect') this.#retry();
    });
    socket.on('connect_error', (err) => {
      const refusal = (err as Error & { data?: ConnectRefusal }).data;
      if (refusal && FINAL.has(refusal.code)) return this.#finish();
      this.#on.state('offline');
      // A refusal by the server (not a network failure) is not retried by socket.io.
      if (refusal) this.#retry();
    });
    socket.on('chat.message', (m) => this.#on.message(m));
    socket.on('chat.edited', (m) => this.#on.edited(m));
    socket.on('chat.deleted', ({ messageId }) => this.#on.deleted(messageId));
    socket.on('chat.authorErased', ({ participantId }) => this.#on.authorErased(participantId));
    socket.on('chat.closed', ({ reason }) => {
      // Removed from the space: no coming back. A lapsed token: back with a fresh one.
      if (reason === 'removed') this.#finish();
    });
    window.addEventListener('online', this.#onOnline);
    window.addEventListener('offline', this.#onOffline);
  }

  /** Sends one request; rejects with a ChatRequestError (never silently). */
  request<E extends SpaceChatEventName>(
    event: E,
    payload: SpaceChatRequest<E>,
  ): Promise<SpaceChatResponse<E>> {
    const socket = this.#socket;
    // The browser may know the network is gone before the socket does.
    if (!socket?.connected || !navigator.onLine)
      return Promise.reject(new ChatRequestError('offline'));
    return new Promise((resolve, reject) => {
      const emit = socket.timeout(REQUEST_TIMEOUT_MS).emit as unknown as (
        e: string,
        p: unknown,
        ack: (err: Error | null, r: Result<SpaceChatResponse<E>>) => void,
      ) => void;
      emit.call(socket, event, payload, (err, result) => {
        if (err) reject(new ChatRequestError('timeout'));
        else if (result.ok) resolve(result.data);
        else reject(new ChatRequestError(result.error.code));
      });
    });
  }

  /** Disconnects for good. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#renewTimer);
    window.removeEventListener('online', this.#onOnline);
    window.removeEventListener('offline', this.#onOffline);
    this.#socket?.disconnect();
  }

  readonly #onOnline = () => {
    if (this.#closed) return;
    if (this.#socket?.connected) this.#on.state('connected');
    else this.#socket?.connect();
  };

  readonly #onOffline = () => {
    if (!this.#closed) this.#on.state('offline');
  };

  #retry() {
    setTimeout(() => {
      if (!this.#closed && this.#socket && !this.#socket.connected) this.#socket.connect();
    }, 3_000);
  }

  #finish() {
    this.close();
    this.#on.state('closed');
  }

  #scheduleRenewal(token: string) {
    clearTimeout(this.#renewTimer);
    const exp = tokenExpiry(token);
    if (exp === null) return;
    this.#renewTimer = setTimeout(
      () => {
        fetchToken(this.#space)
          .then((fresh) => {
            this.#scheduleRenewal(fresh);
            return this.request('chat.renew', { token: fresh });
          })
          .catch(() => {
            // The socket lapses and reconnects with a fresh token: nothing is lost.
            this.#on.state(this.#socket?.connected ? 'connected' : 'offline');
          });
      },
      Math.max(5_000, exp - Date.now() - RENEW_BEFORE_MS),
    );
  }
}
