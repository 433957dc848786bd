import type {
  afterUnloadDocumentPayload,
  Document,
  Extension,
  Hocuspocus,
  onConfigurePayload,
  onConnectPayload,
  onLoadDocumentPayload,
  RedisTransactionOrigin,
} from '@hocuspocus/server';
import { background, type Logger } from '@preau/protocol/server';
import { type DocsExecutor, docLastSeqs, docUpdatesAfter, readDocParts } from '@preau/storage/docs';
import * as Y from 'yjs';

/**
 * The origin of what a node reads back from the database: already stored
 * (DocPersistence does not store a 'redis' origin again) and not announced
 * on Redis again (the other nodes read the database too), but sent to this
 * node's clients like any change.
 */
const FROM_DATABASE: RedisTransactionOrigin & { readonly database: true } = {
  source: 'redis',
  database: true,
};

/** Documents checked per query (a node may hold thousands; the query stays small). */
const SWEEP_CHUNK = 1000;

/** Counters the tests and health checks read. */
export interface CatchUpStats {
  /** Database reads that brought a loaded document something it lacked. */
  recovered: number;
}

/**
 * Catches loaded documents up with the database. Redis Pub/Sub does not
 * guarantee delivery: a message between nodes can be lost (a dropped
 * connection, a node subscribing a moment late), and the Yjs sync between
 * nodes only repairs it at the next change. So every `intervalMs` this node
 * reads the latest stored update of each document it holds (one query for
 * all of them, `doc.last_seq`), and for each one that moved since it last
 * looked, applies the updates stored after that point; Hocuspocus then
 * sends what was missing to this node's clients. A client connecting to a
 * document already loaded here waits for the same catch-up first, so a
 * change stored by a node that died before relaying it is not stored again
 * when its author's client reconnects here and sends it again.
 */
export class DatabaseCatchUp implements Extension {
  readonly extensionName = 'preau-database-catch-up';
  // Before DocPersistence (1000): the stored position is read before the
  // document is, so nothing stored meanwhile is skipped (applying twice is harmless).
  readonly priority = 1010;
  readonly stats: CatchUpStats = { recovered: 0 };

  /** Per loaded document, the last stored update it is known to hold. */
  readonly #seen = new Map<string, number>();
  readonly #running = new Map<string, Promise<void>>();
  #instance: Hocuspocus | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;

  constructor(private readonly deps: { db: DocsExecutor; log: Logger; intervalMs: number }) {}

  async onConfigure({ instance }: onConfigurePayload) {
    this.#instance = instance;
    this.#timer ??= setInterval(() => {
      if (this.#sweeping) return;
      this.#sweeping = true;
      background(
        this.deps.log,
        'catching documents up with the database',
        this.#sweep().finally(() => {
          this.#sweeping = false;
        }),
      );
    }, this.deps.intervalMs);
    this.#timer.unref();
  }

  async onLoadDocument({ documentName }: onLoadDocumentPayload) {
    const seqs = await docLastSeqs(this.deps.db, [documentName]);
    this.#seen.set(documentName, seqs.get(documentName) ?? 0);
  }

  async onConnect({ documentName, instance }: onConnectPayload) {
    const document = instance.documents.get(documentName);
    if (document && this.#seen.has(documentName)) await this.catchUp(document);
  }

  async afterUnloadDocument({ documentName, instance }: afterUnloadDocumentPayload) {
    if (!instance.documents.has(documentName)) this.#seen.delete(documentName);
  }

  /** Applies to a loaded document what the database stored since it last looked (one at a time per document). */
  catchUp(document: Document): Promise<void> {
    const name = document.name;
    const running = this.#running.get(name);
    if (running) return running;
    const work = this.#catchUp(document).finally(() => this.#running.delete(name));
    this.#running.set(name, work);
    return work;
  }

  /** Stops the periodic check. */
  close() {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #sweep() {
    const documents = this.#instance?.documents;
    if (!documents) return;
    const names = [...this.#seen.keys()].filter((name) => documents.has(name));
    for (let i = 0; i < names.length; i += SWEEP_CHUNK) {
      const chunk = names.slice(i, i + SWEEP_CHUNK);
      const latest = await docLastSeqs(this.deps.db, chunk);
      for (const name of chunk) {
        const document = documents.get(name);
        const seen = this.#seen.get(name);
        if (!document || seen === undefined) continue;
        if ((latest.get(name) ?? 0) > seen) await this.catchUp(document);
      }
    }
  }

  async #catchUp(document: Document) {
    const name = document.name;
    const seen = this.#seen.get(name);
    if (seen === undefined) return;
    const tail = await docUpdatesAfter(this.deps.db, name, seen);
    let updates: Uint8Array[];
    let last: number;
    if (tail.rewritten) {
      // The rows in between were merged away: read the whole (rewritten)
      // document, its parts applied below in the same one transaction.
      const parts = await readDocParts(this.deps.db, name);
      updates = [
        ...(parts.snapshot ? [parts.snapshot.state] : []),
        ...parts.updates.map((u) => u.body),
      ];
      last = parts.updates.at(-1)?.seq ?? parts.snapshot?.seq ?? parts.base;
    } else {
      if (tail.updates.length === 0) return;
      updates = tail.updates.map((u) => u.body);
      last = tail.updates.at(-1)!.seq;
    }
    if (!this.#seen.has(name)) return; // unloaded meanwhile
    let changed = false;
    const mark = () => {
      changed = true;
    };
    document.on('update', mark);
    try {
      document.transact(() => {
        for (const update of updates) Y.applyUpdate(document, update, FROM_DATABASE);
      }, FROM_DATABASE);
    } finally {
      document.off('update', mark);
    }
    this.#seen.set(name, Math.max(last, this.#seen.get(name) ?? 0));
    if (changed) {
      this.stats.recovered += 1;
      this.deps.log.info(
        { docId: name, from: seen, to: last },
        'a document caught up with the database (an update between nodes was lost)',
      );
    }
  }
}
