import { DOC_YJS } from '@preau/protocol';
import * as Y from 'yjs';
import type { DocsExecutor } from './documents';
import { appendDocUpdate, readDocParts } from './updates';

/**
 * A pad edited by several people, each from their own replica (their own
 * Yjs client id, as in a browser), every change stored exactly as the docs
 * server stores it (appendDocUpdate, with authorship). For tests.
 */
export class SampleDoc {
  readonly #replicas = new Map<string, Y.Doc>();
  readonly #shared = new Y.Doc();

  constructor(
    readonly db: DocsExecutor,
    readonly docId: string,
  ) {}

  /** Appends a paragraph as `person`; returns the stored update's sequence number. */
  type(person: string, text: string, at?: Date): Promise<number> {
    return this.#change(
      person,
      (doc) => {
        const p = new Y.XmlElement('paragraph');
        p.insert(0, [new Y.XmlText(text)]);
        doc.getXmlFragment(DOC_YJS.padFragment).push([p]);
      },
      at,
    );
  }

  /** Deletes, as `person`, the paragraph holding `text` (its content becomes a tombstone). */
  remove(person: string, text: string, at?: Date): Promise<number> {
    return this.#change(
      person,
      (doc) => {
        const fragment = doc.getXmlFragment(DOC_YJS.padFragment);
        const index = fragment.toArray().findIndex((node) => node.toString().includes(text));
        if (index < 0) throw new Error(`no paragraph holds "${text}"`);
        fragment.delete(index, 1);
      },
      at,
    );
  }

  /** The Yjs client id `person` writes with. */
  clientOf(person: string): number {
    return this.#replica(person).clientID;
  }

  async #change(person: string, change: (doc: Y.Doc) => void, at?: Date): Promise<number> {
    const fresh = !this.#replicas.has(person);
    const doc = this.#replica(person);
    let update: Uint8Array | undefined;
    const capture = (u: Uint8Array) => {
      update = u;
    };
    doc.on('update', capture);
    doc.transact(() => change(doc));
    doc.off('update', capture);
    if (!update) throw new Error('the change made no update');
    Y.applyUpdate(this.#shared, update);
    const stored = await appendDocUpdate(this.db, {
      docId: this.docId,
      author: person,
      body: update,
      newClients: fresh ? [doc.clientID] : [],
      ...(at ? { at } : {}),
    });
    return stored.seq;
  }

  #replica(person: string): Y.Doc {
    let doc = this.#replicas.get(person);
    if (!doc) {
      doc = new Y.Doc();
      this.#replicas.set(person, doc);
    }
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(this.#shared, Y.encodeStateVector(doc)));
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
  const doc = new Y.Doc();
  if (parts.snapshot) Y.applyUpdate(doc, parts.snapshot.state);
  for (const u of parts.updates) Y.applyUpdate(doc, u.body);
  const text = doc.getXmlFragment(DOC_YJS.padFragment).toString();
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
    for (const struct of Y.decodeUpdate(new Uint8Array(bytes)).structs) {
      const content = struct instanceof Y.Item ? struct.content : null;
      if (content instanceof Y.ContentString) out.push(content.str);
    }
  }
  return out.join('');
}
