import * as Y from 'yjs';

/** Authorship of Yjs items: who (a person id) wrote with a client id. */
export type AuthorOf = (clientId: number) => { id: string; color: string } | undefined;

/**
 * Merges a snapshot and the updates after it into one update (no garbage
 * collection: what the updates held, the merge holds). The updates are
 * applied one by one to a document, which stays linear on long histories
 * (Y.mergeUpdates is quadratic: 20,000 keystrokes take seconds).
 */
export function mergeParts(
  snapshot: Uint8Array | null,
  updates: readonly Uint8Array[],
): Uint8Array {
  if (!snapshot && updates.length === 1) return updates[0]!;
  if (snapshot && updates.length === 0) return snapshot;
  const doc = new Y.Doc({ gc: false });
  try {
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const update of updates) Y.applyUpdate(doc, update);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
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
