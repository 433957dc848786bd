import {
  PreauError,
  type Result,
  SFU_AUTH_HEADER,
  SFU_MAX_MESSAGE_BYTES,
  SFU_RPC_VERSION,
  SfuCallResult,
  type SfuCallType,
  type SfuEvent,
  type SfuNodeLoad,
  type SfuParams,
  type SfuResult,
  SfuServerMessage,
} from '@preau/protocol';
import { createLogger, type Logger } from '@preau/protocol/server';
import WebSocket from 'ws';
import type { SfuApi, SfuApiCalls } from '../SfuApi';
import { signAuth } from './auth';

/** How long one call may wait for its answer. */
const CALL_TIMEOUT_MS = 15_000;
/** After a drop, how soon and then how often (at most) the client tries the SFU again. */
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 1000;

interface Pending {
  type: SfuCallType;
  resolve(data: unknown): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout;
}

/**
 * An SfuApi that drives a remote SFU process over its authenticated RPC.
 * Connects at once (failing with `unauthenticated`, `protocol_mismatch` or
 * `unavailable`) and again on the next call after a drop; calls in flight when
 * the connection drops fail with `unavailable`. After a drop it also tries
 * again by itself while rooms were open: the SFU that answers then (restarted
 * or replaced) has none of them, so each is reported closed with reason
 * `workerDied`, and their sessions rebuild their media. close() closes the
 * connection only, never the remote SFU.
 */
export async function createSfuClient(
  url: string,
  secret: string,
  log: Logger = createLogger('sfu-client'),
  hooks: SfuClientHooks = {},
): Promise<SfuApi> {
  const client = new SfuRpcClient(url, secret, log, hooks);
  await client.connect();
  return client.api();
}

/** What a cluster of SFU nodes learns from each node's connection. */
export interface SfuClientHooks {
  /** The node's load report (about every second). */
  onLoad?(load: SfuNodeLoad): void;
  /** The connection is up (hello received). */
  onUp?(): void;
  /** The connection dropped (the node died, or the network failed). */
  onDown?(): void;
}

class SfuRpcClient {
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<(event: SfuEvent) => void>();
  #socket: Promise<WebSocket> | undefined;
  #nextId = 0;
  #closed = false;
  /** Rooms opened through this connection (their peers lose them if the SFU goes away). */
  readonly #rooms = new Set<string>();
  /** Rooms of a connection that dropped, reported closed once an SFU answers again. */
  readonly #lost = new Set<string>();
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly log: Logger,
    private readonly hooks: SfuClientHooks,
  ) {}

  /** The connection, opened if there is none. */
  connect(): Promise<WebSocket> {
    if (this.#closed) return Promise.reject(new PreauError('unavailable', 'sfu client is closed'));
    this.#socket ??= this.#open().catch((err: unknown) => {
      this.#socket = undefined;
      throw err;
    });
    return this.#socket;
  }

  api(): SfuApi {
    const calls = {} as Record<SfuCallType, (params: unknown) => Promise<unknown>>;
    for (const type of Object.keys(SfuCallResult) as SfuCallType[]) {
      calls[type] = (params) => this.call(type, params as SfuParams<typeof type>);
    }
    return {
      ...(calls as unknown as SfuApiCalls),
      subscribe: (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
      close: async () => this.close(),
    };
  }

  async call<T extends SfuCallType>(type: T, params: SfuParams<T>): Promise<SfuResult<T>> {
    const result = await this.#send(type, params);
    const roomId = (params as { roomId?: string } | undefined)?.roomId;
    if (type === 'createRoom' && roomId) this.#rooms.add(roomId);
    if (type === 'closeRoom' && roomId) this.#rooms.delete(roomId);
    return result;
  }

  async #send<T extends SfuCallType>(type: T, params: SfuParams<T>): Promise<SfuResult<T>> {
    const socket = await this.connect();
    const id = this.#nextId++;
    return new Promise<SfuResult<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new PreauError('unavailable', `sfu call ${type} timed out`));
      }, CALL_TIMEOUT_MS);
      this.#pending.set(id, { type, resolve: resolve as (d: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ id, call: { ...params, type } }), (err) => {
        if (err) this.#settle(id, new PreauError('unavailable', 'sfu connection lost'));
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    const socket = await this.#socket?.catch(() => undefined);
    socket?.close();
    this.#failAll();
  }

  #open(): Promise<WebSocket> {
    return new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url, {
        headers: { [SFU_AUTH_HEADER]: signAuth(this.secret) },
        maxPayload: SFU_MAX_MESSAGE_BYTES,
      });
      let greeted = false;
      ws.once('unexpected-response', (_req, res) => {
        const code = res.statusCode === 401 ? 'unauthenticated' : 'unavailable';
        reject(new PreauError(code, `sfu rpc refused: HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.once('error', (err) => {
        // The cause (an internal address) is for the log; callers' clients get a typed code.
        this.log.debug({ err }, 'sfu rpc connection failed');
        if (!greeted) reject(new PreauError('unavailable', 'sfu unreachable'));
      });
      ws.on('close', () => {
        if (this.#socket && greeted) this.#socket = undefined;
        this.#failAll();
        if (!greeted) reject(new PreauError('unavailable', 'sfu rpc closed before hello'));
        else {
          this.#hook('onDown');
          this.#dropped();
        }
      });
      ws.on('message', (data) => {
        const message = this.#read(data.toString());
        if (!message) return;
        switch (message.type) {
          case 'hello':
            if (message.version !== SFU_RPC_VERSION) {
              reject(new PreauError('protocol_mismatch', `sfu rpc version ${message.version}`));
              ws.close();
              return;
            }
            greeted = true;
            resolve(ws);
            this.#hook('onUp');
            this.#reportLost();
            return;
          case 'load':
            this.#hook('onLoad', message.load);
            return;
          case 'response':
            if (message.id === null) {
              this.log.error({ error: message.result }, 'sfu rpc: a request was unreadable');
              return;
            }
            this.#answer(message.id, message.result);
            return;
          case 'event':
            if (message.event.type === 'roomClosed') this.#rooms.delete(message.event.roomId);
            this.#emit(message.event);
            return;
        }
      });
    });
  }

  /** The connection dropped: its rooms are lost; while any was open, try the SFU again soon. */
  #dropped() {
    for (const roomId of this.#rooms) this.#lost.add(roomId);
    this.#rooms.clear();
    if (this.#closed || this.#lost.size === 0) return;
    this.log.warn({ rooms: this.#lost.size }, 'sfu rpc connection lost; reconnecting');
    this.#reconnect(RECONNECT_FIRST_MS);
  }

  #reconnect(delayMs: number) {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      if (this.#closed || this.#lost.size === 0) return;
      this.connect().catch(() => this.#reconnect(Math.min(delayMs * 2, RECONNECT_MAX_MS)));
    }, delayMs);
    this.#retry.unref();
  }

  /** An SFU answers again: the rooms of the dropped connection are gone there. */
  #reportLost() {
    if (this.#lost.size === 0) return;
    clearTimeout(this.#retry);
    const lost = [...this.#lost];
    this.#lost.clear();
    this.log.info({ rooms: lost.length }, 'sfu rpc reconnected; its rooms are rebuilt');
    for (const roomId of lost) this.#emit({ type: 'roomClosed', roomId, reason: 'workerDied' });
  }

  #read(text: string): SfuServerMessage | undefined {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      this.log.error({ err }, 'sfu rpc: a message is not JSON');
      return undefined;
    }
    const parsed = SfuServerMessage.safeParse(json);
    if (parsed.success) return parsed.data;
    this.log.error({ issues: parsed.error.issues.length }, 'sfu rpc: unreadable message');
    return undefined;
  }

  #answer(id: number, result: Result<unknown>) {
    const pending = this.#pending.get(id);
    if (!pending) return;
    if (!result.ok) {
      const { code, message, issues } = result.error;
      return this.#settle(id, new PreauError(code, message, issues));
    }
    const data = SfuCallResult[pending.type].safeParse(result.data);
    if (!data.success) return this.#settle(id, new PreauError('internal', 'unreadable sfu answer'));
    this.#settle(id, undefined, data.data);
  }

  #settle(id: number, err: unknown, data?: unknown) {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (err) pending.reject(err);
    else pending.resolve(data);
  }

  #failAll() {
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id, new PreauError('unavailable', 'sfu connection lost'));
    }
  }

  #hook<K extends keyof SfuClientHooks>(
    name: K,
    ...args: Parameters<NonNullable<SfuClientHooks[K]>>
  ) {
    try {
      (this.hooks[name] as ((...a: typeof args) => void) | undefined)?.(...args);
    } catch (err) {
      this.log.error({ err, hook: name }, 'sfu client hook failed');
    }
  }

  #emit(event: SfuEvent) {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, event: event.type }, 'sfu event listener failed');
      }
    }
  }
}
