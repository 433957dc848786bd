import type { WebSocketLike } from '@hocuspocus/server';
import type { WebSocket } from 'ws';
import { messageType, SYNC_STATUS_TYPE } from './wire';

/**
 * How long a stored change's acknowledgement may wait for another message
 * to the same socket, to go out in the same write. At light load (five
 * people typing in a pad) each socket gets another editor's change every
 * 50 ms or so: most acknowledgements ride with one, and the server makes a
 * fifth fewer writes, each a system call that wakes the reader.
 */
export const ACK_RIDE_MS = 100;

/** The transport under the WebSocket: writes between cork and uncork go out as one. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * The socket Hocuspocus writes to, with one difference: a sync
 * acknowledgement (the message that lets the provider count a change as
 * saved) waits until every update this connection sent before it is stored
 * in the database. Other messages go out at once. If storing fails, the
 * acknowledgement is never sent and the socket is closed by the store's
 * failure handler, so the client keeps its change and sends it again.
 *
 * Once stored, an acknowledgement waits up to `ACK_RIDE_MS` for the next
 * message to this socket and goes out with it in one write (the transport
 * corked around both); none comes, it goes out alone.
 */
export class GatedSocket implements WebSocketLike {
  #barrier: Promise<unknown> = Promise.resolve();
  #acks: Promise<void> = Promise.resolve();
  /** Acknowledgements stored and waiting for a message to ride with. */
  #riding: Uint8Array[] = [];
  #rideTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    private readonly transport: Corkable,
  ) {}

  get readyState(): number {
    return this.ws.readyState;
  }

  /** Holds every later acknowledgement until `stored` settles. */
  holdAcksUntil(stored: Promise<unknown>): void {
    this.#barrier = Promise.all([this.#barrier, stored]);
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (!(data instanceof Uint8Array) || messageType(data) !== SYNC_STATUS_TYPE) {
      if (this.#riding.length === 0) this.ws.send(data as Uint8Array);
      else this.#sendRiding(data as Uint8Array);
      return;
    }
    const barrier = this.#barrier;
    this.#acks = this.#acks
      .then(() => barrier)
      .then(
        () => this.#ride(data),
        // Storing failed: the failure was logged and this socket closed where
        // it happened; the acknowledgement must not go out.
        () => undefined,
      );
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  #ride(ack: Uint8Array) {
    this.#riding.push(ack);
    this.#rideTimer ??= setTimeout(() => this.#sendRiding(), ACK_RIDE_MS);
  }

  /** The acknowledgements waiting, and the message they ride with if any, in one write. */
  #sendRiding(message?: Uint8Array) {
    clearTimeout(this.#rideTimer);
    this.#rideTimer = undefined;
    const out = message ? [...this.#riding, message] : this.#riding;
    this.#riding = [];
    if (out.length === 0 || this.ws.readyState !== this.ws.OPEN) return;
    this.transport.cork();
    for (const bytes of out) this.ws.send(bytes);
    this.transport.uncork();
  }
}
