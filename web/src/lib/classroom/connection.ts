import {
  busyBackoffSeconds,
  CLASSROOM_SOCKET_PATH,
  type ClassroomClientToServer,
  type ClassroomServerToClient,
  type ClientEventName,
  type ClientRequest,
  type ClientResponse,
  type ConnectRefusal,
  type ErrorCode,
  PROTOCOL_VERSION,
  type Result,
  type ServerEvent,
  type ServerEventName,
} from '@preau/protocol';
import { io, type Socket } from 'socket.io-client';

/** A request the server answered with an error (or did not answer in time). */
export class LiveRequestError extends Error {
  override readonly name = 'LiveRequestError';
  constructor(
    readonly code: ErrorCode | 'timeout',
    message?: string,
    /** With `busy`: the server's retry delay. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? code);
  }
}

/** Where the connection stands, for the page to show. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** What a connection needs: the session, and how to get a fresh token for each (re)connection. */
export interface ConnectionOptions {
  sessionId: string;
  fetchToken(): Promise<string>;
  onState(state: ConnectionState): void;
  /** The server refused the connection for good (bad token, ended session…). */
  onRefused(refusal: ConnectRefusal): void;
  /** Called after every (re)connection, before anything else is sent. */
  onConnected(): void;
  /** The node is busy: a new attempt follows in `seconds`. */
  onBusy(seconds: number): void;
}

const REQUEST_TIMEOUT_MS = 15_000;
/** A token is renewed this long before it lapses; a failed renewal is retried after RETRY. */
const RENEW_BEFORE_MS = 60_000;
const RENEW_RETRY_MS = 15_000;

/** When a JWT lapses (ms since the epoch), read from its payload without checking it (the server does). */
export function tokenExpiry(token: string): number | null {
  try {
    const part = token.split('.')[1] ?? '';
    const payload = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}
/** Refusals that a new attempt will not fix. */
const FINAL: ReadonlySet<string> = new Set([
  'forbidden',
  'not_found',
  'session_ended',
  'protocol_mismatch',
]);

/**
 * The browser's socket to a live session: typed requests with acks, typed
 * events, a fresh capability token for every (re)connection, and a quick
 * return when the network comes back.
 */
export class LiveConnection {
  readonly #opts: ConnectionOptions;
  /** Created on open(): nothing here may run during server-side rendering. */
  #socket: Socket<ClassroomServerToClient, ClassroomClientToServer> | null = null;
  readonly #handlers: Array<[string, (payload: unknown) => void]> = [];
  readonly #onOnline = () => {
    // The browser knows the network is back before socket.io's backoff does.
    if (this.#socket && !this.#socket.connected && !this.#closed) this.#socket.connect();
  };
  #closed = false;
  /** The token the current connection was opened or last renewed with. */
  #token: string | null = null;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #busyTimer: ReturnType<typeof setTimeout> | undefined;
  /** Busy answers in a row at the handshake (the back-off's exponent). */
  #busyAttempts = 0;

  constructor(opts: ConnectionOptions) {
    this.#opts = opts;
  }

  /** Opens the connection (in the browser only). */
  open() {
    if (this.#socket || this.#closed) return;
    const opts = this.#opts;
    const socket: Socket<ClassroomServerToClient, ClassroomClientToServer> = io({
      path: CLASSROOM_SOCKET_PATH,
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      autoConnect: false,
      reconnectionDelay: 250,
      reconnectionDelayMax: 1500,
      randomizationFactor: 0.3,
      auth: (cb) => {
        opts.fetchToken().then(
          (token) => {
            this.#token = token;
            cb({ token, session: opts.sessionId, protocol: PROTOCOL_VERSION });
          },
          () => cb({ session: opts.sessionId, protocol: PROTOCOL_VERSION }),
        );
      },
    });
    this.#socket = socket;
    for (const [event, handler] of this.#handlers) this.#attach(event, handler);
    socket.on('connect', () => {
      this.#busyAttempts = 0;
      this.#scheduleRenewal();
      opts.onState('connected');
      opts.onConnected();
    });
    socket.on('disconnect', (reason) => {
      // A reconnection fetches a token of its own.
      clearTimeout(this.#renewTimer);
      if (this.#closed) return;
      // A disconnect by the server (kicked, ended) is final; anything else is retried.
      opts.onState(reason === 'io server disconnect' ? 'closed' : 'reconnecting');
    });
    socket.on('connect_error', (err: Error & { data?: ConnectRefusal }) => {
      if (err.data?.code === 'busy') {
        // A full node: come back later, not at once with everyone else.
        const seconds = busyBackoffSeconds(err.data.retryAfterSeconds ?? 1, this.#busyAttempts++);
        opts.onState('reconnecting');
        opts.onBusy(seconds);
        clearTimeout(this.#busyTimer);
        this.#busyTimer = setTimeout(() => {
          if (!this.#closed && !socket.connected && !socket.active) socket.connect();
        }, seconds * 1000);
        return;
      }
      if (err.data && FINAL.has(err.data.code)) {
        socket.disconnect();
        opts.onState('closed');
        opts.onRefused(err.data);
        return;
      }
      if (!socket.active) socket.connect();
      opts.onState('reconnecting');
    });
    window.addEventListener('online', this.#onOnline);
    opts.onState('connecting');
    socket.connect();
  }

  get connected(): boolean {
    return this.#socket?.connected ?? false;
  }

  /** Sends one event and resolves with the data of its ack, or throws a LiveRequestError. */
  request<E extends ClientEventName>(
    event: E,
    payload: ClientRequest<E>,
  ): Promise<ClientResponse<E>> {
    return new Promise((resolve, reject) => {
      if (!this.#socket) return reject(new LiveRequestError('unavailable', 'not connected'));
      const target = this.#socket.timeout(REQUEST_TIMEOUT_MS);
      const emit = target.emit as unknown as (
        e: string,
        p: unknown,
        ack: (err: Error | null, result: Result<ClientResponse<E>>) => void,
      ) => void;
      emit.call(target, event, payload, (err, result) => {
        if (err) return reject(new LiveRequestError('timeout'));
        if (result.ok) resolve(result.data);
        else {
          const { code, message, retryAfterSeconds } = result.error;
          reject(new LiveRequestError(code, message, retryAfterSeconds));
        }
      });
    });
  }

  /** Listens to one server event. */
  on<E extends ServerEventName>(event: E, handler: (payload: ServerEvent<E>) => void) {
    const h = handler as (payload: unknown) => void;
    this.#handlers.push([event, h]);
    if (this.#socket) this.#attach(event, h);
  }

  #attach(event: string, handler: (payload: unknown) => void) {
    const socket = this.#socket;
    if (!socket) return;
    (socket.on as unknown as (e: string, h: (p: unknown) => void) => void).call(
      socket,
      event,
      handler,
    );
  }

  /** Renews the connection's token on the open socket shortly before it lapses. */
  #scheduleRenewal(delay?: number) {
    clearTimeout(this.#renewTimer);
    const expiry = this.#token ? tokenExpiry(this.#token) : null;
    if (expiry === null || this.#closed) return;
    const wait = delay ?? Math.max(5_000, expiry - Date.now() - RENEW_BEFORE_MS);
    this.#renewTimer = setTimeout(() => {
      this.#renew().catch(() => this.#scheduleRenewal(RENEW_RETRY_MS));
    }, wait);
  }

  async #renew() {
    if (!this.connected) return;
    const token = await this.#opts.fetchToken();
    await this.request('session.renew', { token });
    this.#token = token;
    this.#scheduleRenewal();
  }

  /** Closes the connection for good (leaving the page). */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#busyTimer);
    if (this.#socket) {
      window.removeEventListener('online', this.#onOnline);
      this.#socket.disconnect();
    }
    this.#opts.onState('closed');
  }
}
