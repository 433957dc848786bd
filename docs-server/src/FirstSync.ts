import type { Logger } from '@preau/protocol/server';
import { type DocParts, type DocsExecutor, readDocParts } from '@preau/storage/docs';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import { type Corkable, GatedSocket } from './GatedSocket';
import { AUTH_TYPE, readMessageType, readVarUint, varUint } from './wire';

// The first sync of a document that is not in memory yet, answered from the
// stored bytes while the server integrates the document.
//
// A client's first message after its token is SyncStep1 (its state vector).
// Hocuspocus answers it once the document is loaded: the server parses and
// integrates the whole stored state (for a long-lived pad, 100,000 separate
// items), encodes it again, and the client parses it once more. Here, for a
// client that holds nothing yet, the answer is the stored bytes themselves:
// the snapshot as one update message, the tail after it merged (a few hundred
// small updates) as the SyncStep2 that completes the client's first sync. The
// server integrates the same bytes meanwhile (the same database read) and
// Hocuspocus then gets, in place of the client's SyncStep1, one carrying the
// state vector of what the client was sent: it answers with what the document
// gained since (nothing, on one node, but its delete set) and asks the client
// for its own changes, as usual. Every message the client sends after its
// SyncStep1 waits behind it, in order: none is applied to a half-loaded
// document and none is lost (Hocuspocus queues them until the load anyway).
//
// The stored bytes keep deleted content (snapshots are merged without garbage
// collection, for the history), so a client answered here holds deleted
// items the server's copy would have collected: readers may read every past
// version of a document anyway, and erasures rewrite the stored history
// itself, so nothing erased is sent.

/** Hocuspocus' message types read here (see @hocuspocus/server types; authentication: wire.ts). */
const SYNC = 0;
/** y-protocols' sync message types. */
const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;
/** @hocuspocus/common's authentication message types. */
const AUTH_DENIED = 1;
const AUTH_OK = 2;

/** Beyond this many updates after the snapshot (documents stored before snapshots), the usual path. */
const MAX_TAIL = 2000;
/** How long the load waits for the answers to be written out before integrating. */
const MAX_WAIT_MS = 500;

/** One read of a document's stored parts, shared by the answers and the load. */
interface Entry {
  parts: Promise<DocParts>;
  /** The load took these parts (it will say when it has integrated them). */
  claimed: boolean;
  /** The state vector of the integrated parts; null when the load failed. */
  integrated: Promise<Uint8Array | null>;
  settle: (sv: Uint8Array | null) => void;
  done: boolean;
  /** Answers being written, awaited (a while at most) before integrating. */
  writing: Set<Promise<void>>;
  /** Connections that still need this entry. */
  users: number;
}

/** A frame's fields: where it is addressed (the raw bytes) and the sync message in it. */
interface SyncFrame {
  /** The address as sent (varString bytes), reused for the answer. */
  address: Uint8Array;
  /** The document name (the address without a session suffix). */
  name: string;
  type: number;
  syncType: number;
  payload: Uint8Array | null;
}

/** What the answers have done (health and tests). */
export interface FirstSyncStats {
  /** First syncs answered from the stored bytes. */
  answered: number;
  /** First syncs left to Hocuspocus after trying (a failed read, a refused token, a legacy history). */
  fellBack: number;
}

/**
 * The socket Hocuspocus writes to (acknowledgements gated as in GatedSocket),
 * which also tells whether Hocuspocus accepted the client's token: the
 * answer from the stored bytes never precedes the authentication.
 */
export class WatchedSocket extends GatedSocket {
  readonly authenticated: Promise<boolean>;
  #settle: (ok: boolean) => void = () => {};

  constructor(ws: WebSocket, transport: Corkable) {
    super(ws, transport);
    this.authenticated = new Promise((resolve) => {
      this.#settle = resolve;
    });
    ws.once('close', () => this.#settle(false));
  }

  override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (data instanceof Uint8Array) {
      const kind = authKind(data);
      if (kind === AUTH_OK) this.#settle(true);
      else if (kind === AUTH_DENIED) this.#settle(false);
    }
    super.send(data);
  }
}

export class FirstSync {
  readonly stats: FirstSyncStats = { answered: 0, fellBack: 0 };
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly deps: {
      db: DocsExecutor;
      log: Logger;
      /** Whether the document is in memory, or being loaded, on this server. */
      inMemory: (docId: string) => { loaded: boolean; loading: boolean };
    },
  ) {}

  /** The stored parts for the load: the read the answers use, or a new one. */
  read(docId: string): Promise<DocParts> {
    const entry = this.#entries.get(docId);
    if (entry && !entry.claimed) {
      entry.claimed = true;
      return entry.parts;
    }
    return readDocParts(this.deps.db, docId);
  }

  /** Lets the answers under way be written out first (for a while at most), so the client parses while the server integrates. */
  async beforeIntegrating(docId: string): Promise<void> {
    const entry = this.#entries.get(docId);
    if (!entry || entry.writing.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...entry.writing]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, MAX_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  /** The load integrated the parts it read (or failed: null). */
  integrated(docId: string, document: Y.Doc | null): void {
    const entry = this.#entries.get(docId);
    if (!entry?.claimed || entry.done) return;
    entry.done = true;
    entry.settle(document ? Y.encodeStateVector(document) : null);
    this.#release(docId, entry, 0);
  }

  /** Entries held (tests: nothing is kept once the answers and loads are done). */
  held(): number {
    return this.#entries.size;
  }

  /**
   * The filter of one connection's incoming messages, before Hocuspocus:
   * `forward` hands a message to Hocuspocus.
   */
  inbound(opts: {
    docId: string;
    socket: WatchedSocket;
    forward: (bytes: Uint8Array) => void;
  }): (bytes: Uint8Array) => void {
    let held: Uint8Array[] | null = null;
    let seenStep1 = false;
    return (bytes) => {
      if (held) {
        held.push(bytes);
        return;
      }
      if (!seenStep1) {
        const frame = readSyncFrame(bytes);
        if (frame && frame.type === SYNC && frame.syncType === STEP1 && frame.payload) {
          seenStep1 = true;
          const entry = frame.name === opts.docId ? this.#entryFor(opts.docId, frame) : null;
          if (entry) {
            const queue: Uint8Array[] = [];
            held = queue;
            void this.#answer(opts, entry, frame, bytes).finally(() => {
              held = null;
              // A closed socket's messages go nowhere: unacknowledged, the client sends them again.
              const ws = opts.socket.ws;
              if (ws.readyState === ws.OPEN) for (const message of queue) opts.forward(message);
              this.#release(opts.docId, entry, 1);
            });
            return;
          }
        }
      }
      opts.forward(bytes);
    };
  }

  /** The shared read for a client holding nothing, when the document is not in memory yet. */
  #entryFor(docId: string, frame: SyncFrame): Entry | null {
    if (Y.decodeStateVector(frame.payload!).size > 0) return null;
    let entry = this.#entries.get(docId);
    if (entry?.done) return null;
    const where = this.deps.inMemory(docId);
    if (where.loaded) return null;
    // A load already past its read (another client's) would not take a new one.
    if (!entry && where.loading) return null;
    if (!entry) {
      let settle: (sv: Uint8Array | null) => void = () => {};
      const integrated = new Promise<Uint8Array | null>((resolve) => {
        settle = resolve;
      });
      const parts = readDocParts(this.deps.db, docId);
      // Read by the answer in any case; a failure is handled there.
      parts.catch(() => undefined);
      entry = {
        parts,
        claimed: false,
        integrated,
        settle,
        done: false,
        writing: new Set(),
        users: 0,
      };
      this.#entries.set(docId, entry);
    }
    entry.users += 1;
    return entry;
  }

  /** Sends the stored bytes, then hands Hocuspocus a SyncStep1 of what was sent. */
  async #answer(
    opts: { docId: string; socket: WatchedSocket; forward: (bytes: Uint8Array) => void },
    entry: Entry,
    frame: SyncFrame,
    original: Uint8Array,
  ): Promise<void> {
    let written: () => void = () => {};
    const writing = new Promise<void>((resolve) => {
      written = resolve;
    });
    entry.writing.add(writing);
    let sent = false;
    try {
      const [ok, parts] = await Promise.all([opts.socket.authenticated, entry.parts]);
      const ws = opts.socket.ws;
      if (!ok || ws.readyState !== ws.OPEN) return;
      if (!parts.snapshot && parts.updates.length > MAX_TAIL) return;
      const tail =
        parts.updates.length === 0
          ? null
          : parts.updates.length === 1
            ? parts.updates[0]!.body
            : Y.mergeUpdates(parts.updates.map((u) => u.body));
      const frames: Uint8Array[] = [];
      if (parts.snapshot && tail)
        frames.push(syncMessage(frame.address, UPDATE, parts.snapshot.state));
      frames.push(
        syncMessage(
          frame.address,
          STEP2,
          tail ?? parts.snapshot?.state ?? Y.encodeStateAsUpdate(new Y.Doc()),
        ),
      );
      await Promise.all(
        frames.map(
          (f) =>
            new Promise<void>((resolve, reject) =>
              ws.send(f, (err) => (err ? reject(err) : resolve())),
            ),
        ),
      );
      sent = true;
      written();
      this.stats.answered += 1;
      const sv = await Promise.race([entry.integrated, closed(ws)]);
      if (sv) opts.forward(step1Message(frame.address, sv));
      else if (ws.readyState === ws.OPEN) opts.forward(original);
    } catch (err) {
      this.deps.log.warn({ err, docId: opts.docId }, 'first sync from the stored bytes failed');
    } finally {
      written();
      entry.writing.delete(writing);
      if (!sent) {
        // Hocuspocus answers as usual (or refuses the client).
        this.stats.fellBack += 1;
        opts.forward(original);
      }
    }
  }

  #release(docId: string, entry: Entry, users: number) {
    entry.users -= users;
    if (entry.users > 0) return;
    // An entry no load has taken yet stays for the load a waiting client triggers.
    if (!entry.done && entry.claimed) return;
    if (this.#entries.get(docId) === entry) this.#entries.delete(docId);
  }
}

/** Resolves (null) when the socket closes. */
function closed(ws: WebSocket): Promise<null> {
  if (ws.readyState === ws.CLOSED || ws.readyState === ws.CLOSING) return Promise.resolve(null);
  return new Promise((resolve) => ws.once('close', () => resolve(null)));
}

/** The kind of an authentication message (server → client), or null. */
function authKind(bytes: Uint8Array): number | null {
  const type = readMessageType(bytes);
  if (!type || type[0] !== AUTH_TYPE) return null;
  const kind = readVarUint(bytes, type[1]);
  return kind ? kind[0] : null;
}

/** A client's frame read as a sync message (null when it is not one or is cut short). */
export function readSyncFrame(bytes: Uint8Array): SyncFrame | null {
  const len = readVarUint(bytes, 0);
  if (!len || len[1] + len[0] > bytes.length) return null;
  const address = bytes.subarray(0, len[1] + len[0]);
  const rawKey = new TextDecoder().decode(bytes.subarray(len[1], len[1] + len[0]));
  const separator = rawKey.indexOf('\0');
  const name = separator === -1 ? rawKey : rawKey.slice(0, separator);
  const type = readVarUint(bytes, len[1] + len[0]);
  if (!type) return null;
  if (type[0] !== SYNC) return { address, name, type: type[0], syncType: -1, payload: null };
  const syncType = readVarUint(bytes, type[1]);
  if (!syncType) return null;
  const size = readVarUint(bytes, syncType[1]);
  const payload =
    size && size[1] + size[0] <= bytes.length ? bytes.subarray(size[1], size[1] + size[0]) : null;
  return { address, name, type: SYNC, syncType: syncType[0], payload };
}

/** A sync message (server → client or client → server) with its payload. */
function syncMessage(address: Uint8Array, syncType: number, payload: Uint8Array): Uint8Array {
  const head = [SYNC, syncType, ...varUint(payload.byteLength)];
  const out = new Uint8Array(address.byteLength + head.length + payload.byteLength);
  out.set(address, 0);
  out.set(head, address.byteLength);
  out.set(payload, address.byteLength + head.length);
  return out;
}

/** The SyncStep1 Hocuspocus gets in place of the client's: the state vector of what it was sent. */
function step1Message(address: Uint8Array, stateVector: Uint8Array): Uint8Array {
  return syncMessage(address, STEP1, stateVector);
}
