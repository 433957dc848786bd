import * as Y from 'yjs';

/**
 * A document's state from some updates, re-encoded garbage-collected:
 * deleted content survives only as lengths, so no deleted character is left
 * in it. Items of `eraseClients` are deleted first; `deletion` is the Yjs
 * update that deletes them (a delete set: ids, no content), for live copies,
 * and `erased` says whether any of their content was there at all.
 */
export function collapseDoc(
  bodies: readonly Uint8Array[],
  eraseClients: ReadonlySet<number> = new Set(),
): { deletion: Uint8Array; state: Uint8Array; erased: boolean } {
  const full = new Y.Doc({ gc: false });
  const collected = new Y.Doc({ gc: true });
  try {
    for (const body of bodies) Y.applyUpdate(full, body);
    let erased = false;
    let deletion: Uint8Array = new Uint8Array();
    const capture = (u: Uint8Array) => {
      deletion = u;
    };
    full.on('update', capture);
    full.transact((tr) => {
      for (const client of eraseClients) {
        for (const struct of full.store.clients.get(client) ?? []) {
          if (!(struct instanceof Y.Item) || struct.content instanceof Y.ContentDeleted) continue;
          erased = true;
          if (!struct.deleted) struct.delete(tr);
        }
      }
    });
    full.off('update', capture);
    Y.applyUpdate(collected, Y.encodeStateAsUpdate(full));
    return { deletion, state: Y.encodeStateAsUpdate(collected), erased };
  } finally {
    full.destroy();
    collected.destroy();
  }
}

/** The Yjs client ids whose items an update creates (who wrote in it). */
export function clientsOf(update: Uint8Array): Set<number> {
  const { structs } = Y.decodeUpdate(update);
  return new Set(structs.map((s) => s.id.client));
}

/** Every string an update's items carry, deleted or not, in order (text typed key by key reads back whole once joined). */
export function stringsOfUpdate(update: Uint8Array): string[] {
  const out: string[] = [];
  for (const struct of Y.decodeUpdate(update).structs) {
    const content = struct instanceof Y.Item ? struct.content : null;
    if (content instanceof Y.ContentString) out.push(content.str);
  }
  return out;
}
