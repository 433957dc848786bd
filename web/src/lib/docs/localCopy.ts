import { IndexeddbPersistence, storeState } from 'y-indexeddb';
import * as Y from 'yjs';
import { localCopyName, rememberLocalCopy } from '#lib/docs/localCopies';

/** How long after a deletion the local copy is rewritten without the deleted content. */
const COMPACT_DELAY_MS = 1500;
/**
 * How long a change is written again when the tab is hidden or closed: by
 * then y-indexeddb's own write of it has long been committed.
 */
const RECENT_MS = 2000;

/** The IndexedDB base beside a copy that holds what `flush` wrote (see LocalCopy). */
function lastInstantsName(copyName: string): string {
  return `${copyName}:last`;
}

/** Opens (or creates) the base of a copy's last instants: one store, `updates`. */
function openLastInstants(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () =>
      request.result.createObjectStore('updates', { autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`could not open ${name}`));
  });
}

/** Runs one request of a transaction on a base's `updates` store. */
function onUpdates<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  act: (s: IDBObjectStore) => IDBRequest<T>,
) {
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction('updates', mode);
    const request = act(tx.objectStore('updates'));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
  });
}

/** The origin of the last instants applied back when a copy opens (y-indexeddb stores them). */
const LAST_INSTANTS = Symbol('last instants');

/**
 * A person's copy of one document in the browser (IndexedDB, through
 * y-indexeddb): every change, theirs or others', is kept as it happens, so
 * that edits made offline survive a reload or a closed tab and are sent at
 * the next connection. It also keeps how many of the person's changes wait
 * for the server, and whether the copy ever held the server's document
 * (only then may an editor open on it without the server).
 *
 * Deleted content does not linger: after each sync with the server and a
 * moment after any deletion (an erasure or a restore rewriting history on
 * the server arrives as one), the copy is rewritten from the document in
 * memory, where deleted content is only a length.
 *
 * The last letters before a tab closes: y-indexeddb writes each change in
 * its own IndexedDB transaction, which the browser commits only once the
 * page has had the request's answer, a moment later; a tab closed in that
 * moment loses the transaction. So the changes of the last instants are
 * written once more, in one transaction committed at once (`commit()`),
 * when the page is hidden or goes away (`visibilitychange`, `beforeunload`,
 * `pagehide`), in a base of their own beside the copy: in the copy's base
 * that transaction would wait behind y-indexeddb's own ones still open, and
 * a quiet machine closed the tab before any of them committed. They are
 * merged back into the copy when it opens next, and that base is emptied
 * whenever the copy is rewritten.
 * Writing a change twice is harmless (Yjs applies it once). The limit: the
 * browser commits that transaction after the page's last script, and one
 * that kills the tab's process at once (a crash) may still lose it.
 */
export class LocalCopy {
  readonly #persistence: IndexeddbPersistence;
  /** The base of the last instants (open once the copy is loaded). */
  #last: IDBDatabase | null = null;
  #compactTimer: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;

  private constructor(
    readonly name: string,
    private readonly doc: Y.Doc,
  ) {
    this.#persistence = new IndexeddbPersistence(name, doc);
    doc.on('afterTransaction', this.#afterTransaction);
    doc.on('update', this.#onUpdate);
    if (typeof window !== 'undefined') {
      // `beforeunload` first: the earliest word that the tab goes away, so the
      // transaction has the longest time to commit before the page is torn down
      // (on `pagehide` alone, a quiet machine closed the tab before it did).
      window.addEventListener('beforeunload', this.flush);
      window.addEventListener('pagehide', this.flush);
      document.addEventListener('visibilitychange', this.#onVisibility);
    }
  }

  /** Opens (or creates) a person's copy of a document and loads it into `doc`. */
  static async open(person: string, docId: string, doc: Y.Doc): Promise<LocalCopy> {
    const name = localCopyName(person, docId);
    rememberLocalCopy(name);
    const copy = new LocalCopy(name, doc);
    await copy.#persistence.whenSynced;
    const last = lastInstantsName(name);
    rememberLocalCopy(last);
    try {
      copy.#last = await openLastInstants(last);
      const kept = await onUpdates(copy.#last, 'readonly', (s) => s.getAll());
      if (kept.length > 0) {
        Y.applyUpdate(doc, Y.mergeUpdates(kept as Uint8Array[]), LAST_INSTANTS);
        // Into the copy for good (rewritten whole), then the base of the last instants is emptied.
        await copy.compact();
      }
    } catch (err) {
      console.error('last instants of the local copy not read', err);
    }
    return copy;
  }

  /** The origin of the changes loaded from the copy (not the person's edits). */
  get origin(): unknown {
    return this.#persistence;
  }

  /** Whether the copy once held the document as the server had it. */
  async hasServerState(): Promise<boolean> {
    return (await this.#persistence.get('synced')) === 1;
  }

  /** How many of the person's changes were waiting for the server when last written. */
  async storedPending(): Promise<number> {
    const value = await this.#persistence.get('pending');
    return typeof value === 'number' && value > 0 ? value : 0;
  }

  /** Records how many changes wait for the server (shown again after a reload). */
  async setPending(count: number): Promise<void> {
    if (!this.#destroyed) await this.#persistence.set('pending', count);
  }

  /**
   * Called once the server's document has been merged in (a sync): marks the
   * copy as holding it and rewrites the copy from the merged document.
   */
  async afterServerSync(): Promise<void> {
    if (this.#destroyed) return;
    await this.#persistence.set('synced', 1);
    await this.compact();
  }

  /** Rewrites the copy as one state from the document in memory (no deleted content). */
  async compact(): Promise<void> {
    if (this.#destroyed) return;
    await storeState(this.#persistence, true);
    // Everything is in the copy now (deleted content included in no base).
    if (this.#last && !this.#destroyed) await onUpdates(this.#last, 'readwrite', (s) => s.clear());
  }

  /**
   * Writes the changes of the last instants again, in one transaction
   * committed at once (the tab is being hidden or closed). Returns whether
   * there was anything to write.
   */
  readonly flush = (): boolean => {
    const db = this.#last;
    if (this.#destroyed || !db || this.#recent.length === 0) return false;
    const update = Y.mergeUpdates(this.#recent);
    this.#recent = [];
    try {
      const tx = db.transaction(['updates'], 'readwrite');
      tx.objectStore('updates').add(update);
      tx.commit();
      tx.onerror = () => console.error('local copy not flushed', tx.error);
    } catch (err) {
      // The base is closing (another tab deleted it, a sign-out): nothing left to keep it in.
      console.error('local copy not flushed', err);
    }
    return true;
  };

  destroy() {
    this.#destroyed = true;
    if (this.#compactTimer) clearTimeout(this.#compactTimer);
    if (this.#recentTimer) clearTimeout(this.#recentTimer);
    this.doc.off('afterTransaction', this.#afterTransaction);
    this.doc.off('update', this.#onUpdate);
    if (typeof window !== 'undefined') {
      window.removeEventListener('beforeunload', this.flush);
      window.removeEventListener('pagehide', this.flush);
      document.removeEventListener('visibilitychange', this.#onVisibility);
    }
    void this.#persistence.destroy();
    this.#last?.close();
    this.#last = null;
  }

  /** Changes of the last instants (not those loaded from the copy), for `flush`. */
  #recent: Uint8Array[] = [];
  #recentTimer: ReturnType<typeof setTimeout> | null = null;

  readonly #onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this.#persistence) return;
    this.#recent.push(update);
    if (this.#recentTimer) clearTimeout(this.#recentTimer);
    this.#recentTimer = setTimeout(() => {
      this.#recentTimer = null;
      this.#recent = [];
    }, RECENT_MS);
  };

  readonly #onVisibility = () => {
    if (document.visibilityState === 'hidden') this.flush();
  };

  readonly #afterTransaction = (tr: Y.Transaction) => {
    if (tr.origin === this.#persistence || tr.deleteSet.clients.size === 0) return;
    if (this.#compactTimer) clearTimeout(this.#compactTimer);
    this.#compactTimer = setTimeout(() => {
      this.#compactTimer = null;
      this.compact().catch((err: unknown) => console.error('local copy compaction failed', err));
    }, COMPACT_DELAY_MS);
  };
}
