import {
  appendImage,
  appendParagraph,
  applyUpdate,
  captureUpdate,
  catchUp,
  type Doc,
  docFromParts,
  emptyDoc,
  padXml,
  removeBlockHolding,
  stringsOfUpdate,
} from '@preau/protocol/docs-model';
import type { DocsExecutor } from './documents';
import { appendDocUpdate, readDocParts } from './updates';

/**
 * A pad edited by several people, each from their own replica (their own
 * Yjs client id, as in a browser), every change stored exactly as the docs
 * server stores it (appendDocUpdate, with authorship). For tests.
 */
export class SampleDoc {
  readonly #replicas = new Map<string, Doc>();
  readonly #shared = emptyDoc();

  constructor(
    readonly db: DocsExecutor,
    readonly docId: string,
  ) {}

  /** Appends a paragraph as `person`; returns the stored update's sequence number. */
  type(person: string, text: string, at?: Date): Promise<number> {
    return this.#change(person, (doc) => appendParagraph(doc, text), at);
  }

  /** Appends an image showing `src`, as `person`; returns the stored update's sequence number. */
  image(person: string, src: string, at?: Date): Promise<number> {
    return this.#change(person, (doc) => appendImage(doc, src), at);
  }

  /** Deletes, as `person`, the paragraph holding `text` (its content becomes a tombstone). */
  remove(person: string, text: string, at?: Date): Promise<number> {
    return this.#change(
      person,
      (doc) => {
        if (!removeBlockHolding(doc, text)) throw new Error(`no paragraph holds "${text}"`);
      },
      at,
    );
  }

  /** The Yjs client id `person` writes with. */
  clientOf(person: string): number {
    return this.#replica(person).clientID;
  }

  async #change(person: string, change: (doc: Doc) => void, at?: Date): Promise<number> {
    const fresh = !this.#replicas.has(person);
    const doc = this.#replica(person);
    const update = captureUpdate(doc, change);
    applyUpdate(this.#shared, update);
    const stored = await appendDocUpdate(this.db, {
      docId: this.docId,
      author: person,
      body: update,
      newClients: fresh ? [doc.clientID] : [],
      ...(at ? { at } : {}),
    });
    return stored.seq;
  }

  #replica(person: string): Doc {
    let doc = this.#replicas.get(person);
    if (!doc) {
      doc = emptyDoc();
      this.#replicas.set(person, doc);
    }
    catchUp(doc, this.#shared);
    return doc;
  }
}

/** A stored document's pad text as loading it shows (all of it, or up to `uptoSeq`). */
export async function storedPadText(
  db: DocsExecutor,
  docId: string,
  uptoSeq?: number,
): Promise<string> {
  const parts = await readDocParts(db, docId, uptoSeq);
  const doc = docFromParts(
    parts.snapshot?.state ?? null,
    parts.updates.map((u) => u.body),
  );
  const text = padXml(doc);
  doc.destroy();
  return text;
}

/** Every byte a document's stored history holds (updates and snapshots), for searching. */
export async function storedDocBytes(db: DocsExecutor, docId: string): Promise<Buffer> {
  const updates = await db
    .selectFrom('doc_update')
    .select('body')
    .where('doc_id', '=', docId)
    .execute();
  const snapshots = await db
    .selectFrom('doc_snapshot')
    .select('state')
    .where('doc_id', '=', docId)
    .execute();
  return Buffer.concat([
    ...updates.map((u) => Buffer.from(u.body)),
    ...snapshots.map((s) => Buffer.from(s.state)),
  ]);
}

/**
 * Every string the stored rows carry (updates, then snapshots), decoded
 * from their Yjs structs, deleted or not, joined in order: text typed key
 * by key, spread over many updates, reads back whole.
 */
export async function storedDocStrings(db: DocsExecutor, docId: string): Promise<string> {
  const updates = await db
    .selectFrom('doc_update')
    .select('body')
    .where('doc_id', '=', docId)
    .orderBy('seq')
    .execute();
  const snapshots = await db
    .selectFrom('doc_snapshot')
    .select('state')
    .where('doc_id', '=', docId)
    .orderBy('seq')
    .execute();
  const out: string[] = [];
  for (const bytes of [...updates.map((u) => u.body), ...snapshots.map((s) => s.state)]) {
    out.push(...stringsOfUpdate(new Uint8Array(bytes)));
  }
  return out.join('');
}
