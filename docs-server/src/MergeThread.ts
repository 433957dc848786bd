import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { mergeParts } from '@preau/protocol/docs-model';
import type { Logger } from '@preau/protocol/server';

type Reply = { id: number; state: Uint8Array } | { id: number; error: string };

/**
 * Parts smaller than this (bytes, all together) are merged on the caller's
 * thread: a compaction of a pad of a class's hour or two (up to about 3,000
 * one-letter items at random places, its snapshot and 500-update tail
 * 35 to 52 kB) merges in 2 to 2.5 ms; 82 kB in 6 (warm, on the benchmarks'
 * machine). A server whose documents are all that small never starts the
 * thread, whose own heap and code are 25 to 30 MB of the process as long as
 * merges keep coming (load-tests/README.md, "The merge thread for small
 * pads").
 */
export const INLINE_BELOW_BYTES = 64 * 1024;

/**
 * Merges a document's snapshot and the updates after it (a compaction) on a
 * thread of its own. The merge parses and encodes the whole document: for a
 * long-lived pad (100,000 items) 80 to 150 ms, up to 500 in a process just
 * started, in which, on the main thread,
 * every other document of the server, and the one-port server's pages and
 * classes, would wait. The main thread only copies the parts into one
 * buffer and gets the merged state back (load-tests/README.md, "Merges on
 * a thread of their own").
 *
 * The thread starts with the first merge of at least `inlineBelow` bytes
 * (smaller ones are merged here), keeps the process alive only while a
 * merge is in flight, and stops once no merge came for `idleMs` (its 10 to
 * 20 MB are not kept by a server whose documents are quiet). If it fails or
 * dies, the merges waiting on it are done here instead (slower, never
 * lost), and the next merge starts a new thread.
 */
export class MergeThread {
  #worker: Worker | null = null;
  readonly #waiting = new Map<
    number,
    { parts: Uint8Array[]; resolve(state: Uint8Array): void; reject(err: unknown): void }
  >();
  #next = 1;
  #closed = false;
  #idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly idleMs = 30_000,
    private readonly inlineBelow = INLINE_BELOW_BYTES,
  ) {}

  /** Whether the thread is running (it stops when idle). */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** The merge of `mergeParts`, the same bytes, computed off the main thread. */
  merge(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Promise<Uint8Array> {
    const parts = snapshot ? [snapshot, ...updates] : [...updates];
    // Nothing to merge: the one part is the state already.
    if (parts.length === 1) return Promise.resolve(parts[0]!);
    const ends: number[] = [];
    let length = 0;
    for (const part of parts) {
      length += part.byteLength;
      ends.push(length);
    }
    if (this.#closed || length < this.inlineBelow) {
      try {
        return Promise.resolve(mergeParts(snapshot, updates));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    clearTimeout(this.#idle);
    const worker = this.#thread();
    const id = this.#next++;
    // One buffer of the parts' bytes, handed over (the parts may be views of larger buffers).
    const bytes = new Uint8Array(length);
    for (let i = 0, at = 0; i < parts.length; at = ends[i]!, i++) bytes.set(parts[i]!, at);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#waiting.set(id, { parts, resolve, reject });
      if (this.#waiting.size === 1) worker.ref();
      worker.postMessage({ id, bytes: bytes.buffer, ends }, [bytes.buffer]);
    });
  }

  /** Stops the thread; merges asked for afterwards run on the caller's thread. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idle);
    const worker = this.#worker;
    this.#worker = null;
    if (worker) await worker.terminate();
    // Merges still in flight (none after a drain) finish here.
    this.#mergeHere();
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(fileURLToPath(new URL('./mergeWorker.mjs', import.meta.url)));
    worker.unref();
    worker.on('message', (reply: Reply) => this.#settle(worker, reply));
    worker.on('error', (err) => this.#lost(worker, err));
    worker.on('exit', (code) => this.#lost(worker, new Error(`the merge thread exited (${code})`)));
    this.#worker = worker;
    return worker;
  }

  #settle(worker: Worker, reply: Reply) {
    const waiting = this.#waiting.get(reply.id);
    if (!waiting) return;
    this.#waiting.delete(reply.id);
    if (this.#waiting.size === 0) {
      worker.unref();
      this.#idle = setTimeout(() => this.#retire(worker), this.idleMs).unref();
    }
    if ('state' in reply) waiting.resolve(reply.state);
    // A part Yjs refuses: the same error as merging here would give.
    else waiting.reject(new Error(reply.error));
  }

  /** Stops an idle thread; the next merge starts another. */
  #retire(worker: Worker) {
    if (this.#worker !== worker || this.#waiting.size > 0) return;
    this.#worker = null;
    void worker.terminate();
  }

  /** The thread is gone: what it was merging is merged here, and the next merge starts another. */
  #lost(worker: Worker, err: unknown) {
    if (this.#worker !== worker) return;
    this.#worker = null;
    this.log.error({ err }, 'the merge thread stopped; merging on the main thread');
    this.#mergeHere();
  }

  #mergeHere() {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) {
      try {
        w.resolve(mergeParts(null, w.parts));
      } catch (err) {
        w.reject(err);
      }
    }
  }
}
