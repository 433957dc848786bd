import {
  type afterLoadDocumentPayload,
  type Connection,
  type Document,
  type Extension,
  isTransactionOrigin,
  OutgoingMessage,
} from '@hocuspocus/server';
import { clientsOfTransaction } from '@preau/protocol/docs-model';
import type { Transaction } from 'yjs';

/** The window's defaults: see BroadcastWindow. */
export const BROADCAST_WINDOW_MS = 50;
export const BUSY_CHANGES_PER_SECOND = 100;

/**
 * The span the rate of changes is averaged over (milliseconds): a change
 * counts for 1 when it is made and fades over this span.
 */
const RATE_SPAN_MS = 1000;

/**
 * How a document's changes reach its other editors. While a document is
 * quiet, each change goes out at once (in the event-loop turn that applied
 * it, Hocuspocus's default). While it is busy, more than
 * `busyPerSecond` changes a second on average, the changes within
 * `windowMs` go out as one message (Hocuspocus's `flushDelay`): thirty
 * pupils typing send their pad 150 changes a second; in windows of 50 ms
 * each browser reads 20 messages a second instead of 150 and the server
 * writes a seventh as many frames (load-tests/README.md, "Changes sent in
 * windows"). A change after a pause longer than the window goes out at
 * once. The writer's own acknowledgement never waits for the window.
 *
 * A change is not sent back to the connection it came from (Hocuspocus
 * sends every change to every connection of the document): the editor
 * already has it, and at light load that is a fifth of the server's writes.
 * A message that merges changes from several connections goes to all.
 */
export class BroadcastWindow implements Extension {
  readonly extensionName = 'preau-broadcast-window';

  constructor(
    private readonly opts: { windowMs: number; busyPerSecond: number } = {
      windowMs: BROADCAST_WINDOW_MS,
      busyPerSecond: BUSY_CHANGES_PER_SECOND,
    },
  ) {}

  async afterLoadDocument({ document }: afterLoadDocumentPayload) {
    notEchoed(document);
    if (this.opts.windowMs > 0) follow(document, this.opts.windowMs, this.opts.busyPerSecond);
  }
}

/**
 * A document's rate of changes is a count that each change raises by one
 * and that fades with time (by e every second): about how many changes the
 * last second brought, whatever their spacing. A handful of keystrokes that
 * happen to arrive together (a class's first ones, all within a few
 * milliseconds) is a handful, not a rate of hundreds a second: an average
 * of the gaps between changes, tried first, took two close keystrokes for a
 * busy document and held the next ones for a window (load-tests/README.md,
 * "A busy document is one with many changes in the last second").
 */
function follow(document: Document, windowMs: number, busyPerSecond: number) {
  let last: number | undefined;
  let rate = 0;
  document.flushDelay = 0;
  // Before the change is applied (Hocuspocus reads flushDelay as it sends):
  // after a pause, at once.
  document.on('beforeTransaction', () => {
    if (document.flushDelay !== 0 && last !== undefined && performance.now() - last > windowMs) {
      document.flushDelay = 0;
    }
  });
  // After it: the window for the next changes.
  document.on('update', () => {
    const now = performance.now();
    rate = 1 + (last === undefined ? 0 : rate * Math.exp(-(now - last) / RATE_SPAN_MS));
    last = now;
    document.flushDelay = rate > busyPerSecond ? windowMs : 0;
  });
}

/**
 * The document's sending, internal to Hocuspocus 4.7 (private in its types;
 * `docsServer.int.test.ts` checks that an editor is not sent its own change
 * back and that the others get it, so an upgrade that renames them is seen).
 */
interface Broadcasting {
  broadcast(encode: (address: string) => Uint8Array, filter?: (c: Connection) => boolean): void;
  broadcastUpdate(update: Uint8Array): void;
}

/**
 * Hocuspocus keeps the changes waiting for a broadcast and sends them, merged,
 * through `broadcastUpdate`. Yjs tells who made a change (`afterTransaction`,
 * before the change's update reaches Hocuspocus); while every change waiting
 * came from one connection, that connection is left out.
 */
function notEchoed(document: Document) {
  // undefined: nothing waiting; null: changes from elsewhere or from several connections.
  let from: Connection | null | undefined;
  document.on('afterTransaction', (transaction: Transaction) => {
    // A transaction that changed nothing (there are some) sends nothing; the
    // test is Yjs's own for emitting an update, so no change goes uncounted.
    if (transaction.deleteSet.clients.size === 0 && clientsOfTransaction(transaction).length === 0)
      return;
    const { origin } = transaction;
    const connection =
      isTransactionOrigin(origin) && origin.source === 'connection' ? origin.connection : null;
    from = from === undefined || from === connection ? connection : null;
  });
  const sending = document as unknown as Broadcasting;
  sending.broadcastUpdate = (update) => {
    const skip = from;
    from = undefined;
    sending.broadcast(
      (address) =>
        new OutgoingMessage(address).createSyncMessage().writeUpdate(update).toUint8Array(),
      skip ? (connection) => connection !== skip : undefined,
    );
  };
}
