import * as Y from 'yjs';
import type { DocKind } from '../docs';
import { boardElementsArray, boardFilesMap } from './board';
import { padFragment } from './pad';

/** The shared types a document of each kind edits (what a restore puts back). */
export function docRoots(
  doc: Y.Doc,
  kind: DocKind,
): ConstructorParameters<typeof Y.UndoManager>[0] {
  return kind === 'pad' ? [padFragment(doc)] : [boardElementsArray(doc), boardFilesMap(doc)];
}

const REVERT = Symbol('revert');

/**
 * The update that brings `current` back to `oldState` as a new version: it
 * deletes what was written since and re-inserts what was deleted since,
 * without removing anything from the history. Built by replaying the later
 * changes into a copy of the old state and undoing them there.
 */
export function revertUpdate(current: Y.Doc, oldState: Uint8Array, kind: DocKind): Uint8Array {
  const scratch = new Y.Doc({ gc: false });
  try {
    Y.applyUpdate(scratch, oldState);
    const undo = new Y.UndoManager(docRoots(scratch, kind), {
      trackedOrigins: new Set([REVERT]),
      captureTimeout: Number.POSITIVE_INFINITY,
    });
    const currentVector = Y.encodeStateVector(current);
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(current, Y.encodeStateVector(scratch)), REVERT);
    undo.undo();
    undo.destroy();
    return Y.encodeStateAsUpdate(scratch, currentVector);
  } finally {
    scratch.destroy();
  }
}
