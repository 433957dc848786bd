import { type BreakoutDocRef, breakoutDocTitle, PreauError } from '@preau/protocol';
import { appendDocUpdates, createDoc, findDoc, readDocParts, type Schema } from '@preau/storage';
import type { Transaction } from 'kysely';

/** What a room's documents are made from. */
export interface RoomDocsInput {
  space: string;
  actor: string;
  rooms: number;
  sessionTitle: string;
  /** The session's day, in the documents' titles. */
  date: Date;
  /** Documents of the same space whose content each room's copy starts from. */
  template?: { pad?: string | undefined; board?: string | undefined } | undefined;
}

/** One room's pad and board. */
export interface RoomDocs {
  pad: BreakoutDocRef;
  board: BreakoutDocRef;
}

/**
 * Creates a pad and a board per room in the class's documents (each traced
 * as created), titled with the room, the session and its day; with a
 * template, each starts as a copy of its content (the template's updates,
 * appended as the teacher's).
 */
export async function createRoomDocs(
  tx: Transaction<Schema>,
  input: RoomDocsInput,
): Promise<RoomDocs[]> {
  const templates = {
    pad: await templateParts(tx, input.space, 'pad', input.template?.pad),
    board: await templateParts(tx, input.space, 'board', input.template?.board),
  };
  const out: RoomDocs[] = [];
  for (let room = 1; room <= input.rooms; room++) {
    const docs = {} as RoomDocs;
    for (const kind of ['pad', 'board'] as const) {
      const title = breakoutDocTitle(room, kind, input.sessionTitle, input.date);
      const doc = await createDoc(tx, { space: input.space, kind, title, actor: input.actor });
      const bodies = templates[kind];
      if (bodies.length > 0) {
        const results = await appendDocUpdates(
          tx,
          bodies.map((body) => ({ docId: doc.id, author: input.actor, body })),
        );
        const failed = results.find((r) => !r.ok);
        if (failed && !failed.ok) throw failed.error;
      }
      docs[kind] = { id: doc.id, kind, title };
    }
    out.push(docs);
  }
  return out;
}

/** The Yjs parts of a template (its snapshot and later updates), checked to be of the space and kind. */
async function templateParts(
  tx: Transaction<Schema>,
  space: string,
  kind: 'pad' | 'board',
  docId: string | undefined,
): Promise<Uint8Array[]> {
  if (!docId) return [];
  const doc = await findDoc(tx, docId);
  if (!doc || doc.space !== space) throw new PreauError('not_found', 'no such document here');
  if (doc.kind !== kind) throw new PreauError('bad_request', `the template is not a ${kind}`);
  const parts = await readDocParts(tx, docId);
  return [...(parts.snapshot ? [parts.snapshot.state] : []), ...parts.updates.map((u) => u.body)];
}
