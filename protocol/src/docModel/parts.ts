import * as Y from 'yjs';

/** A Yjs document (the type, for code that holds one without building it). */
export type { Doc } from 'yjs';

/** Authorship of Yjs items: who (a person id) wrote with a client id. */
export type AuthorOf = (clientId: number) => { id: string; color: string } | undefined;

/**
 * Merges a snapshot and the updates after it into one update (no garbage
 * collection: what the updates held, the merge holds). The updates are
 * applied to a document in one transaction (`docFromParts`), which stays
 * linear on long histories (Y.mergeUpdates is quadratic: 20,000 keystrokes
 * take seconds) and, for a snapshot of 1,500 items and 500 updates, costs
 * half of applying them one by one, for the same bytes.
 */
export function mergeParts(
  snapshot: Uint8Array | null,
  updates: readonly Uint8Array[],
): Uint8Array {
  if (!snapshot && updates.length === 1) return updates[0]!;
  if (snapshot && updates.length === 0) return snapshot;
  const doc = docFromParts(snapshot, updates);
  try {
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * A document from its stored parts (a snapshot, then the updates after it),
 * applied in one transaction and keeping deleted content: the state of
 * `docFromState(mergeParts(…))` without encoding the whole document and
 * parsing it again (for a long pad, two thirds of the work).
 */
export function docFromParts(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  doc.transact(() => {
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const update of updates) Y.applyUpdate(doc, update);
  });
  return doc;
}

/** A Yjs document holding `state`, keeping deleted content (for history and restore). */
export function docFromState(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  Y.applyUpdate(doc, state);
  return doc;
}

/** The Yjs client ids whose structs an update carries (who may have written in it). */
export function clientsOfUpdate(update: Uint8Array): number[] {
  return [...Y.parseUpdateMeta(update).from.keys()];
}

/**
 * The same clients for the update a transaction emitted, read from the
 * transaction (whose clocks moved) instead of parsing the update again:
 * Yjs writes into that update the structs of exactly those clients.
 */
export function clientsOfTransaction(transaction: Y.Transaction): number[] {
  const clients: number[] = [];
  for (const [client, clock] of transaction.afterState) {
    if (clock !== (transaction.beforeState.get(client) ?? 0)) clients.push(client);
  }
  return clients;
}

/** A document rebuilt from its updates in order; updates that cannot apply yet are left pending. */
export function rebuildDoc(updates: Iterable<Uint8Array>): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc;
}

/** Applies an update (bytes from storage, the archive or another replica) to a document. */
export function applyUpdate(doc: Y.Doc, update: Uint8Array, origin?: unknown): void {
  Y.applyUpdate(doc, update, origin);
}

/** One update merging several consecutive ones (what a batch of keystrokes stores as one). */
export function mergeUpdates(updates: readonly Uint8Array[]): Uint8Array {
  return updates.length === 1 ? updates[0]! : Y.mergeUpdates([...updates]);
}

/** The whole state of a document as one update. */
export function stateOf(doc: Y.Doc): Uint8Array {
  return Y.encodeStateAsUpdate(doc);
}

/** The update a change makes to a document (the change runs in one transaction). */
export function captureUpdate(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  let captured: Uint8Array | undefined;
  const listen = (u: Uint8Array) => {
    captured = u;
  };
  doc.on('update', listen);
  try {
    doc.transact(() => change(doc));
  } finally {
    doc.off('update', listen);
  }
  if (!captured) throw new Error('the change made no update');
  return captured;
}

/** Brings `replica` up to date with `source` (what it misses, by state vector). */
export function catchUp(replica: Y.Doc, source: Y.Doc): void {
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(source, Y.encodeStateVector(replica)));
}

/** A new, empty document; `keepDeleted` keeps deleted content (history, restore, archive). */
export function emptyDoc(keepDeleted = false): Y.Doc {
  return new Y.Doc({ gc: !keepDeleted });
}
