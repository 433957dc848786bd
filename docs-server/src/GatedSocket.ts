import type { WebSocketLike } from '@hocuspocus/server';
import type { WebSocket } from 'ws';
import { messageType, SYNC_STATUS_TYPE } from './wire';

/**
 * The socket Hocuspocus writes to, with one difference: a sync
 * acknowledgement (the message that lets the provider count a change as
 * saved) waits until every update this connection sent before it is stored
 * in the database. Other messages go out at once. If storing fails, the
 * acknowledgement is never sent and the socket is closed by the store's
 * failure handler, so the client keeps its change and sends it again.
 */
export class GatedSocket implements WebSocketLike {
  #barrier: Promise<unknown> = Promise.resolve();
  #acks: Promise<void> = Promise.resolve();

  constructor(readonly ws: WebSocket) {}

  get readyState(): number {
    return this.ws.readyState;
  }

  /** Holds every later acknowledgement until `stored` settles. */
  holdAcksUntil(stored: Promise<unknown>): void {
    this.#barrier = Promise.all([this.#barrier, stored]);
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (!(data instanceof Uint8Array) || messageType(data) !== SYNC_STATUS_TYPE) {
      this.ws.send(data as Uint8Array);
      return;
    }
    const barrier = this.#barrier;
    this.#acks = this.#acks
      .then(() => barrier)
      .then(
        () => {
          if (this.ws.readyState === this.ws.OPEN) this.ws.send(data);
        },
        // Storing failed: the failure was logged and this socket closed where
        // it happened; the acknowledgement must not go out.
        () => undefined,
      );
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  /** Resolves when every acknowledgement queued so far has been sent or dropped. */
  flushed(): Promise<void> {
    return this.#acks;
  }
}
