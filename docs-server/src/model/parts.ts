import * as Y from 'yjs';

/** Authorship of Yjs items: who (a person id) wrote with a client id. */
export type AuthorOf = (clientId: number) => { id: string; color: string } | undefined;

/**
 * Merges a snapshot and the updates after it into one update (no garbage
 * collection: what the updates held, the merge holds).
 */
export function mergeParts(
  snapshot: Uint8Array | null,
  updates: readonly Uint8Array[],
): Uint8Array {
  const all = snapshot ? [snapshot, ...updates] : [...updates];
  if (all.length === 0) return Y.encodeStateAsUpdate(new Y.Doc());
  if (all.length === 1) return all[0]!;
  return Y.mergeUpdates(all);
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
