import {
  type afterLoadDocumentPayload,
  type afterUnloadDocumentPayload,
  type beforeHandleAwarenessPayload,
  type Document,
  type Extension,
  isTransactionOrigin,
  type onLoadDocumentPayload,
} from '@hocuspocus/server';
import { authorColor } from '@preau/protocol';
import { applyUpdate, clientsOfTransaction } from '@preau/protocol/docs-model';
import type { Logger } from '@preau/protocol/server';
import {
  type DocsExecutor,
  knownDocClients,
  readDocParts,
  storeDocSnapshot,
} from '@preau/storage/docs';
import type { Transaction } from 'yjs';
import type { DocsContext } from './access';
import type { FirstSync } from './FirstSync';
import { GatedSocket } from './GatedSocket';
import type { MergeThread } from './MergeThread';
import { UpdateWriter } from './UpdateWriter';

/** Actor of changes made by the server itself (none today; named so the log says so). */
export const SYSTEM_ACTOR = 'system';

/** The origin of the state applied when a document is loaded (never stored again). */
const LOADED = Symbol('loaded');

/** The origin of an erasure's deletion applied to a loaded document (its base already holds it). */
const REWRITTEN = Symbol('rewritten');

/** A history rewrite for a loaded document to follow (see DocRewriteNotice). */
export interface LoadedRewrite {
  /** The base of the rewritten history. */
  seq: number;
  /** The Yjs update deleting the erased items (a delete set). */
  deletion: Uint8Array;
}

/** Counters the benchmark and health checks read. */
export interface PersistenceStats {
  stored: number;
  failed: number;
  snapshots: number;
}

/**
 * Stores every change of every document as it happens: the exact Yjs update
 * a transaction produced, with its author and time, in the same transaction
 * as its trace record. The connection's acknowledgement waits for the commit
 * (see GatedSocket), so nothing acknowledged is lost if the process dies.
 * Loads documents from their latest snapshot plus the updates after it
 * (reads only), and compacts a new snapshot every `compactEvery` stored
 * updates, in the background of the writes. Nothing is kept for a document
 * once it is unloaded and its last stores are done.
 */
export class DocPersistence implements Extension {
  readonly extensionName = 'preau-doc-persistence';
  // Runs before any other extension's hooks (loading first, storing first).
  readonly priority = 1000;
  readonly stats: PersistenceStats = { stored: 0, failed: 0, snapshots: 0 };

  readonly #pending = new Map<string, Set<Promise<unknown>>>();
  readonly #knownClients = new Map<string, Set<number>>();
  readonly #snapshotSeq = new Map<string, number>();
  readonly #compacting = new Map<string, Promise<void>>();
  readonly #loaded = new Set<string>();

  readonly writer: UpdateWriter;

  constructor(
    private readonly deps: {
      db: DocsExecutor;
      log: Logger;
      compactEvery: number;
      /** Where compactions merge, off the main thread. */
      merges: MergeThread;
      /** Answers first syncs from the stored bytes; the load shares its read. */
      firstSync?: FirstSync;
    },
  ) {
    this.writer = new UpdateWriter({ db: deps.db, log: deps.log });
  }

  async onLoadDocument({ documentName, document }: onLoadDocumentPayload<DocsContext>) {
    // A document unloaded a moment ago may still be storing its last updates.
    await this.#drain(documentName);
    const started = performance.now();
    const firstSync = this.deps.firstSync;
    let integrated = false;
    try {
      // Opening reads and never writes: the snapshot the writes keep compacted
      // (one row) and the short tail of updates after it, applied as they are.
      const [parts, known] = await Promise.all([
        firstSync ? firstSync.read(documentName) : readDocParts(this.deps.db, documentName),
        knownDocClients(this.deps.db, documentName),
      ]);
      const read = performance.now();
      // Clients answered from the same bytes parse them while the server integrates.
      await firstSync?.beforeIntegrating(documentName);
      const waited = performance.now();
      this.#applyLoaded(
        document,
        documentName,
        parts.snapshot?.state ?? null,
        parts.updates.map((u) => u.body),
      );
      integrated = true;
      firstSync?.integrated(documentName, document);
      this.#knownClients.set(documentName, known);
      this.#snapshotSeq.set(documentName, parts.snapshot?.seq ?? parts.base);
      this.deps.log.debug(
        {
          docId: documentName,
          readMs: Math.round(read - started),
          waitMs: Math.round(waited - read),
          applyMs: Math.round(performance.now() - waited),
          snapshotBytes: parts.snapshot?.state.byteLength ?? 0,
          tail: parts.updates.length,
        },
        'document loaded',
      );
    } finally {
      if (!integrated) firstSync?.integrated(documentName, null);
    }
    this.#loaded.add(documentName);
  }

  /**
   * Follows a rewrite of a loaded document's history by an erasure: the
   * deletion is applied (connected clients receive it and drop the text;
   * with garbage collection on, the copy in memory keeps only lengths) and
   * not stored again (the rewritten base holds it); the authorship table
   * is read again (the erased person's client ids left it).
   */
  async applyRewrite(document: Document, rewrite: LoadedRewrite): Promise<void> {
    const name = document.name;
    if (rewrite.deletion.byteLength > 0) applyUpdate(document, rewrite.deletion, REWRITTEN);
    this.#snapshotSeq.set(name, Math.max(rewrite.seq, this.#snapshotSeq.get(name) ?? 0));
    const known = await knownDocClients(this.deps.db, name);
    // Client ids met since the read are kept: their first update may still be committing.
    for (const c of this.#knownClients.get(name) ?? []) if (!known.has(c)) known.add(c);
    this.#knownClients.set(name, known);
    this.deps.log.info({ docId: name, seq: rewrite.seq }, 'erasure applied to a loaded document');
  }

  async afterLoadDocument({ document }: afterLoadDocumentPayload<DocsContext>) {
    document.on('update', (update: Uint8Array, origin: unknown, _doc: unknown, tr: Transaction) =>
      this.#store(document, update, origin, tr),
    );
  }

  /** Presence shows the name and colour from the token, whatever the client claims. */
  async beforeHandleAwareness({ states, context }: beforeHandleAwarenessPayload<DocsContext>) {
    if (!context) return;
    for (const state of states.values()) {
      if (!state || typeof state !== 'object') continue;
      const user = typeof state.user === 'object' && state.user ? state.user : {};
      state.user = {
        ...user,
        id: context.person,
        name: context.name,
        color: authorColor(context.person),
      };
    }
  }

  /** Nothing is kept for a document nobody has open, once its last stores are done. */
  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload) {
    this.#loaded.delete(documentName);
    this.#forgetIfIdle(documentName);
  }

  /** What this extension holds per document (tests and the memory figures). */
  held(): { loaded: number; known: number; snapshotSeqs: number; pending: number } {
    return {
      loaded: this.#loaded.size,
      known: this.#knownClients.size,
      snapshotSeqs: this.#snapshotSeq.size,
      pending: this.#pending.size + this.#compacting.size,
    };
  }

  /**
   * Resolves once every store of the document begun so far has settled:
   * true when all of them were stored (another node may then be told).
   */
  async stored(name: string): Promise<boolean> {
    const set = this.#pending.get(name);
    if (!set) return true;
    return (await Promise.all([...set])).every((ok) => ok !== false);
  }

  /** Waits for every store and compaction under way (shutdown, tests). */
  async drainAll(): Promise<void> {
    await this.writer.drain();
    await Promise.allSettled([
      ...[...this.#pending.values()].flatMap((set) => [...set]),
      ...this.#compacting.values(),
    ]);
  }

  /**
   * Applies the stored parts in one transaction (one parse each, no merge
   * beforehand). One unreadable part must not make the whole document
   * unreadable: on failure the parts are applied one by one and the ones
   * that fail are reported.
   */
  #applyLoaded(
    document: Document,
    name: string,
    snapshot: Uint8Array | null,
    updates: Uint8Array[],
  ) {
    const parts = snapshot ? [snapshot, ...updates] : updates;
    // While loading, nobody listens to the document's updates (Hocuspocus
    // relays them only once loaded, and ours is not attached yet); with a
    // listener, Yjs would encode the whole loaded state once more for nothing.
    const observers = (document as unknown as { _observers?: unknown })._observers;
    const listeners = observers instanceof Map ? observers.get('update') : undefined;
    if (listeners) (observers as Map<string, unknown>).delete('update');
    try {
      document.transact(() => {
        for (const part of parts) applyUpdate(document, part, LOADED);
      }, LOADED);
    } catch (err) {
      if (listeners) (observers as Map<string, unknown>).set('update', listeners);
      this.deps.log.error({ err, docId: name }, 'loading in one go failed; loading part by part');
      for (const part of parts) {
        try {
          applyUpdate(document, part, LOADED);
        } catch (partErr) {
          this.deps.log.error({ err: partErr, docId: name }, 'stored update could not be applied');
        }
      }
    } finally {
      if (listeners) (observers as Map<string, unknown>).set('update', listeners);
    }
  }

  #store(document: Document, update: Uint8Array, origin: unknown, transaction: Transaction) {
    if (origin === LOADED || origin === REWRITTEN) return;
    // Updates relayed from another node were stored by the node that received them.
    if (isTransactionOrigin(origin) && origin.source === 'redis') return;
    let author = SYSTEM_ACTOR;
    let socket: GatedSocket | undefined;
    if (isTransactionOrigin(origin) && origin.source === 'connection') {
      author = (origin.connection.context as DocsContext).person;
      const ws = origin.connection.webSocket;
      if (ws instanceof GatedSocket) socket = ws;
    } else if (isTransactionOrigin(origin) && origin.source === 'local') {
      author = (origin.context as Partial<DocsContext> | undefined)?.person ?? SYSTEM_ACTOR;
    }
    const name = document.name;
    const known = this.#knownClients.get(name) ?? new Set<number>();
    this.#knownClients.set(name, known);
    let fresh: number[] = [];
    let job: Promise<{ seq: number }>;
    try {
      fresh = clientsOfTransaction(transaction).filter((c) => !known.has(c));
      for (const c of fresh) known.add(c);
      job = this.writer.append({ docId: name, author, body: update, newClients: fresh });
    } catch (err) {
      // Whatever goes wrong here, the change must not be acknowledged.
      job = Promise.reject(err);
    }
    socket?.holdAcksUntil(job);
    const tracked = job.then(
      ({ seq }) => {
        this.stats.stored += 1;
        const since = seq - (this.#snapshotSeq.get(name) ?? 0);
        if (since >= this.deps.compactEvery) this.#compact(name);
        return true;
      },
      (err: unknown) => {
        this.stats.failed += 1;
        for (const c of fresh) known.delete(c);
        this.deps.log.error({ err, docId: name }, 'storing an update failed; closing the document');
        this.#dropDocument(document);
        return false;
      },
    );
    this.#track(name, tracked);
  }

  /**
   * After a failed store the document in memory holds a change the database
   * does not: close every socket so clients reconnect to a fresh load and
   * send their unacknowledged changes again.
   */
  #dropDocument(document: Document) {
    for (const connection of document.getConnections()) {
      connection.webSocket.close(1011, 'storage_failed');
    }
  }

  /**
   * Compacts a snapshot in the background, from the write path only (every
   * `compactEvery` stored updates): the latest snapshot and the updates
   * after it, merged, become the one row the next load reads. Opening a
   * document never compacts (no write on open). A snapshot merged from parts
   * read before a history rewrite is refused by the database (its
   * generation is stale), so erased text is never written back.
   */
  #compact(name: string) {
    if (this.#compacting.has(name)) return;
    const work = (async () => {
      const parts = await readDocParts(this.deps.db, name);
      const last = parts.updates.at(-1);
      if (!last) return;
      const state = await this.deps.merges.merge(
        parts.snapshot?.state ?? null,
        parts.updates.map((u) => u.body),
      );
      const stored = await storeDocSnapshot(this.deps.db, {
        docId: name,
        seq: last.seq,
        state,
        generation: parts.generation,
      });
      this.#snapshotSeq.set(name, Math.max(last.seq, this.#snapshotSeq.get(name) ?? 0));
      if (stored) this.stats.snapshots += 1;
    })()
      .catch((err: unknown) => this.deps.log.error({ err, docId: name }, 'compaction failed'))
      .finally(() => {
        this.#compacting.delete(name);
        this.#forgetIfIdle(name);
      });
    this.#compacting.set(name, work);
  }

  #track(name: string, promise: Promise<unknown>) {
    let set = this.#pending.get(name);
    if (!set) {
      set = new Set();
      this.#pending.set(name, set);
    }
    set.add(promise);
    const done = () => {
      set.delete(promise);
      if (set.size === 0) this.#pending.delete(name);
      this.#forgetIfIdle(name);
    };
    promise.then(done, done);
  }

  #forgetIfIdle(name: string) {
    if (this.#loaded.has(name) || this.#pending.has(name) || this.#compacting.has(name)) return;
    this.#knownClients.delete(name);
    this.#snapshotSeq.delete(name);
  }

  async #drain(name: string) {
    const set = this.#pending.get(name);
    if (set) await Promise.allSettled([...set]);
  }
}
