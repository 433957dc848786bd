import { fileURLToPath } from 'node:url';
import type { HeapInfo } from 'node:v8';
import { Worker } from 'node:worker_threads';

/** One statement's answer, as PGlite gives it. */
export interface PGliteResult {
  rows: Record<string, unknown>[];
  affectedRows?: number;
}

/** The part of PGlite the pool uses. */
export interface PGliteLike {
  exec(sql: string): Promise<PGliteResult | undefined>;
  query(sql: string, params: unknown[]): Promise<PGliteResult>;
  close(): Promise<void>;
}

/** A statement PostgreSQL refused, with its SQLSTATE `code` and the other fields it sent. */
export class PGliteError extends Error {
  override readonly name = 'PGliteError';
  code?: string;
  detail?: string;
  constraint?: string;
}

type Reply =
  | { id: number; result: PGliteResult | null }
  | { id: number; error: { message: string } };

/**
 * PGlite (PostgreSQL compiled to WebAssembly) on a thread of its own. Its
 * statements run synchronously inside WebAssembly: on the main thread every
 * query would stop everything else of the one-port server (pages, live
 * classes, document relay) while it runs. Here the main thread only posts
 * the statement and gets the rows back. The thread keeps the process alive
 * only while a statement is in flight.
 */
export class PGliteThread implements PGliteLike {
  readonly #worker: Worker;
  readonly #waiting = new Map<
    number,
    { resolve(r: PGliteResult | null): void; reject(e: Error): void }
  >();
  #next = 1;
  #dead: Error | null = null;

  /**
   * `template`: a tarball of a PGlite data folder (PGlite's `dumpDataDir`)
   * that a new database starts from instead of running `initdb`.
   */
  constructor(dataDir?: string, template?: string) {
    this.#worker = new Worker(fileURLToPath(new URL('./pgliteWorker.mjs', import.meta.url)), {
      workerData: { dataDir: dataDir ?? null, template: template ?? null },
    });
    this.#worker.unref();
    this.#worker.on('message', (reply: Reply) => this.#settle(reply));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the PGlite thread exited (${code})`)));
  }

  /** Resolves once PGlite is open (a trivial statement goes through). */
  async ready(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  exec(sql: string): Promise<PGliteResult | undefined> {
    return this.#send('exec', sql).then((r) => r ?? undefined);
  }

  async query(sql: string, params: unknown[]): Promise<PGliteResult> {
    return (await this.#send('query', sql, params)) ?? { rows: [] };
  }

  /** The thread's V8 heap figures (`external_memory`: its ArrayBuffers and other memory outside the heap). */
  async heapStatistics(): Promise<HeapInfo> {
    this.#worker.ref();
    try {
      return await this.#worker.getHeapStatistics();
    } finally {
      if (this.#waiting.size === 0) this.#worker.unref();
    }
  }

  /**
   * How many times the thread has flushed one of the database's files to
   * the disk (`fsync`) since it started: at least once per commit that
   * wrote, for a database in a folder; never for one in memory.
   */
  async flushes(): Promise<number> {
    const result = await this.#send('flushes');
    return Number(result?.rows[0]?.flushes);
  }

  /** Closes PGlite (its files are left consistent), then the thread. */
  async close(): Promise<void> {
    try {
      if (!this.#dead) await this.#send('close');
    } finally {
      this.#dead ??= new Error('database is closed');
      await this.#worker.terminate();
    }
  }

  #send(op: 'exec' | 'query' | 'flushes' | 'close', sql?: string, params?: unknown[]) {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<PGliteResult | null>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      if (this.#waiting.size === 1) this.#worker.ref();
      this.#worker.postMessage({ id, op, sql, params });
    });
  }

  #settle(reply: Reply) {
    const waiter = this.#waiting.get(reply.id);
    if (!waiter) return;
    this.#waiting.delete(reply.id);
    if (this.#waiting.size === 0) this.#worker.unref();
    if ('error' in reply)
      waiter.reject(Object.assign(new PGliteError(reply.error.message), reply.error));
    else waiter.resolve(reply.result);
  }

  #fail(err: Error) {
    this.#dead ??= err;
    for (const waiter of this.#waiting.values()) waiter.reject(err);
    this.#waiting.clear();
  }
}
