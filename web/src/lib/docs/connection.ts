import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { DOCS_WS_PATH, type SaveState, type TokenResponse } from '@preau/protocol';
import * as Y from 'yjs';
import { callApi } from '#lib/api';
import { LocalCopy } from '#lib/docs/localCopy';

/** Keeps a fresh capability token for one document (tokens live five minutes). */
/** Opening a document failed because the server could not be reached (no network), not because it refused. */
export class DocUnreachable extends Error {
  constructor(cause: unknown) {
    super('the document server could not be reached', { cause });
    this.name = 'DocUnreachable';
  }
}

class DocToken {
  #token = '';
  #expiresAt = 0;
  #pending: Promise<string> | null = null;

  constructor(
    readonly space: string,
    readonly docId: string,
  ) {}

  /** The current token (possibly stale: the upgrade will then be refused and retried). */
  get current(): string {
    return this.#token;
  }

  /** A token valid for at least another minute. */
  async fresh(): Promise<string> {
    if (this.#token && this.#expiresAt - Date.now() > 60_000) return this.#token;
    this.#pending ??= (async () => {
      try {
        const res = await callApi<TokenResponse>('/api/tokens', {
          body: { audience: 'preau:docs', space: this.space, doc: this.docId },
        }).catch((err: unknown) => {
          // fetch itself failed: no answer came (no network), not a refusal.
          throw new DocUnreachable(err);
        });
        if (!res.ok) throw new Error(res.error.code);
        this.#token = res.data.token;
        this.#expiresAt = Date.parse(res.data.expiresAt);
        return this.#token;
      } finally {
        this.#pending = null;
      }
    })();
    return this.#pending;
  }
}

/**
 * The document's WebSocket, authorised at the upgrade: each connection
 * attempt carries the latest token in its URL.
 */
class TokenWebsocket extends HocuspocusProviderWebsocket {
  constructor(
    private readonly base: string,
    private readonly token: DocToken,
  ) {
    // Back within a few seconds of a server restart: retries grow to 2.5 s at most
    // (the provider's default grows to 30 s), with jitter so that a class does not
    // knock all at once.
    super({ url: base, autoConnect: false, delay: 500, minDelay: 250, maxDelay: 2500 });
  }

  override get url(): string {
    return `${this.base}?token=${encodeURIComponent(this.token.current)}`;
  }

  /**
   * After a drop the provider knocks again exactly `delay` later (its jitter
   * applies only to the retries after that first one): every page of a docs
   * node that died would come back in the same instant. The first knock
   * waits between a quarter of a second and a second instead.
   */
  override onClose(params: Parameters<HocuspocusProviderWebsocket['onClose']>[0]) {
    super.onClose(params);
    if (!this.reconnectTimeout) return;
    clearTimeout(this.reconnectTimeout);
    this.reconnectTimeout = setTimeout(
      () => {
        this.reconnectTimeout = null;
        void this.connect();
      },
      250 + Math.random() * 750,
    );
  }

  /**
   * Treats the socket as closed now, without waiting for a close handshake
   * that cannot cross a dead network, and stops retrying until `connect()`.
   * The close is emitted as the socket's own would be, so that the document's
   * provider hears it too: it forgets the others' carets (stale once
   * offline, and in the way: in a test, a click at the end of a line where
   * one still showed once put the pupil's caret at the line's start) and
   * that it was synced.
   */
  dropForOffline() {
    if (this.status === 'disconnected' && !this.shouldConnect) return;
    this.disconnect();
    this.emit('close', { event: { code: 4400, reason: 'offline' } as CloseEvent });
  }
}

/** What the page needs to edit one document live. */
export interface DocConnection {
  ydoc: Y.Doc;
  provider: HocuspocusProvider;
  /**
   * Settles once the document may be shown and edited: when the stored
   * document has arrived (the first sync), or, opened without the network,
   * once the person's local copy of it is loaded (a copy that once held the
   * server's document). An editor binds only after it: bound earlier, its
   * empty starting state could be written over the stored document.
   */
  synced: Promise<void>;
  /** Calls `listener` with the save state now and on every change; returns an unsubscribe. */
  onSaveState(listener: (state: SaveState) => void): () => void;
  /** Calls `listener` with how many of the person's changes wait to be sent, now and on every change. */
  onPending(listener: (count: number) => void): () => void;
  destroy(): void;
}

/**
 * Opens a live document: fetches a capability token, connects to the docs
 * server on this origin, and tracks whether the user's edits are saved.
 * "Saved" means the server acknowledged them, and it acknowledges only what
 * it has stored in the database.
 *
 * With `person`, the document is also kept in that person's local copy
 * (IndexedDB, see LocalCopy), loaded before the connection so that edits
 * made offline in an earlier visit go out in the sync handshake; without
 * the network, a document already opened once opens from that copy.
 */
export async function openDoc(opts: {
  space: string;
  docId: string;
  readOnly: boolean;
  person?: string;
}): Promise<DocConnection> {
  const token = new DocToken(opts.space, opts.docId);
  const ydoc = new Y.Doc();
  const local = opts.person ? await openLocalCopy(opts.person, opts.docId, ydoc) : null;
  let offlineStart = false;
  try {
    await token.fresh();
  } catch (err) {
    // Without the network, a copy that once held the server's document is enough to start.
    if (!local || !(await local.hasServerState())) {
      local?.destroy();
      ydoc.destroy();
      throw err;
    }
    offlineStart = true;
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new TokenWebsocket(
    `${scheme}://${location.host}${DOCS_WS_PATH}/${opts.docId}`,
    token,
  );
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: opts.docId,
    document: ydoc,
    token: () => token.fresh(),
  });
  const synced = new Promise<void>((resolve) => {
    if (offlineStart) return resolve();
    const onSynced = ({ state }: { state: boolean }) => {
      if (!state) return;
      provider.off('synced', onSynced);
      resolve();
    };
    provider.on('synced', onSynced);
  });
  provider.attach();
  const tracker = new SaveTracker(provider, opts.readOnly);
  const pending = new PendingCounter(ydoc, [provider, local?.origin], local);
  if (local) pending.restore(await local.storedPending());
  // Once everything is acknowledged after a sync, the local copy is rewritten
  // from the merged document (nothing deleted on the server lingers in it).
  let syncedOnce = false;
  const stopSaved = tracker.subscribe((state) => {
    if (state === 'offline') syncedOnce = false;
    if (state !== 'saved') return;
    pending.clear();
    if (syncedOnce || !local) return;
    syncedOnce = true;
    local.afterServerSync().catch((err: unknown) => console.error('local copy not updated', err));
  });
  // Refresh the token ahead of expiry, and right after a drop so the retry uses a good one.
  const refresh = setInterval(() => void token.fresh().catch(() => undefined), 60_000);
  const onStatus = ({ status }: { status: string }) => {
    if (status === 'disconnected') void token.fresh().catch(() => undefined);
  };
  socket.on('status', onStatus);
  // The browser knows first when the network goes: the page says "offline"
  // at once (a silent socket would take the provider 30 s to notice) and
  // comes back as soon as the network does.
  const onOffline = () => socket.dropForOffline();
  const onOnline = () =>
    void token.fresh().then(
      () => socket.connect(),
      () => socket.connect(),
    );
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);
  if (offlineStart && !navigator.onLine) socket.dropForOffline();
  else if (offlineStart) onOnline();
  else void socket.connect();
  return {
    ydoc,
    provider,
    synced,
    onSaveState: (listener) => tracker.subscribe(listener),
    onPending: (listener) => pending.subscribe(listener),
    destroy: () => {
      clearInterval(refresh);
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
      socket.off('status', onStatus);
      stopSaved();
      pending.destroy();
      tracker.destroy();
      provider.destroy();
      socket.destroy();
      local?.destroy();
      ydoc.destroy();
    },
  };
}

/** The person's local copy, or none when the browser keeps no IndexedDB (the document then works online only). */
async function openLocalCopy(person: string, docId: string, ydoc: Y.Doc) {
  try {
    return await LocalCopy.open(person, docId, ydoc);
  } catch (err) {
    console.warn('no local copy of this document', err);
    return null;
  }
}

/**
 * Counts the person's changes not yet acknowledged by the server: each
 * change made here (not one received from the server nor loaded from the
 * local copy) adds one; everything saved brings it back to zero. The count
 * is kept in the local copy, so a reload still says what waits.
 */
export class PendingCounter {
  #count = 0;
  #listeners = new Set<(count: number) => void>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly foreign: readonly unknown[],
    private readonly local: LocalCopy | null,
  ) {
    doc.on('update', this.#onUpdate);
  }

  get count(): number {
    return this.#count;
  }

  /** Takes up the count the local copy kept from an earlier visit. */
  restore(count: number) {
    if (count > this.#count) this.#set(count);
  }

  /** Everything was acknowledged. */
  clear() {
    if (this.#count !== 0) this.#set(0);
  }

  subscribe(listener: (count: number) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#count);
    return () => this.#listeners.delete(listener);
  }

  destroy() {
    this.doc.off('update', this.#onUpdate);
    this.#listeners.clear();
  }

  readonly #onUpdate = (_update: Uint8Array, origin: unknown) => {
    if (this.foreign.includes(origin)) return;
    this.#set(this.#count + 1);
  };

  #set(count: number) {
    this.#count = count;
    this.local
      ?.setPending(count)
      .catch((err: unknown) => console.error('pending count not kept', err));
    for (const listener of this.#listeners) listener(count);
  }
}

/**
 * Whether the user's edits are saved: offline (not connected or not yet
 * synced), saving (changes sent and not yet acknowledged), saved, or
 * read-only. While offline the provider's update handler is detached, so
 * nothing is queued: on reconnection the sync handshake sends every offline
 * edit at once and the counter the provider resets then stays exact.
 */
export class SaveTracker {
  #state: SaveState = 'offline';
  #listeners = new Set<(state: SaveState) => void>();
  #attached = true;
  #cleanups: Array<() => void> = [];

  constructor(
    private readonly provider: HocuspocusProvider,
    private readonly readOnly: boolean,
  ) {
    const on = <T>(event: string, fn: (arg: T) => void) => {
      provider.on(event, fn);
      this.#cleanups.push(() => provider.off(event, fn));
    };
    on<{ status: string }>('status', ({ status }) => {
      if (status !== 'connected') this.#detach();
      this.#update();
    });
    on('synced', () => {
      this.#attach();
      this.#update();
    });
    on('unsyncedChanges', () => this.#update());
    on('authenticated', () => this.#update());
    // Not connected yet: edits wait for the sync handshake, which sends them all.
    if (provider.configuration.websocketProvider.status !== 'connected') this.#detach();
    this.#update();
  }

  get state(): SaveState {
    return this.#state;
  }

  subscribe(listener: (state: SaveState) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#state);
    return () => this.#listeners.delete(listener);
  }

  destroy() {
    for (const cleanup of this.#cleanups) cleanup();
    this.#listeners.clear();
    this.#attach();
  }

  #handler() {
    return (this.provider as unknown as { boundDocumentUpdateHandler: (...a: unknown[]) => void })
      .boundDocumentUpdateHandler;
  }

  #detach() {
    if (!this.#attached) return;
    this.provider.document.off('update', this.#handler());
    this.#attached = false;
  }

  #attach() {
    if (this.#attached) return;
    this.provider.document.on('update', this.#handler());
    this.#attached = true;
  }

  #update() {
    const p = this.provider;
    const connected = p.configuration.websocketProvider.status === 'connected';
    const next: SaveState =
      this.readOnly || p.authorizedScope === 'readonly'
        ? 'readonly'
        : !connected || !p.isSynced
          ? 'offline'
          : p.unsyncedChanges > 0
            ? 'saving'
            : 'saved';
    if (next === this.#state) return;
    this.#state = next;
    for (const listener of this.#listeners) listener(next);
  }
}
