import { setTimeout as sleep } from 'node:timers/promises';
import { mergeUpdates } from '@preau/protocol/docs-model';
import type { Logger } from '@preau/protocol/server';
import {
  type AppendResult,
  appendDocUpdates,
  type DocsExecutor,
  type NewDocUpdate,
} from '@preau/storage/docs';

type Stored = Extract<AppendResult, { ok: true }>;

/** Pause after a commit under load, as a multiple of the commit's duration. */
const PAUSE_FACTOR = 4;

/**
 * Shortest pause after a commit under load (milliseconds): a commit costs
 * the database a fixed price whatever the number of updates it holds
 * (PGlite: several milliseconds of CPU), so under load updates are stored
 * in ticks of at least this much. Each acknowledgement (the page's "saved")
 * waits for its tick; propagation to the other editors never does. At ten
 * pads of five pupils on PGlite, CPU per keystroke: 50 ms ticks 0.92–1.08
 * ms, 100 ms 0.87–0.90, 200 ms 0.66–0.72, 400 ms 0.59–0.62
 * (load-tests/README.md): a fifth of a second is where the gain flattens.
 */
const MIN_PAUSE_MS = 200;

interface Pending {
  entry: NewDocUpdate;
  resolve(result: Stored): void;
  reject(err: unknown): void;
}

/**
 * One author's updates to one document that arrived in the same batch become
 * one stored update (their Yjs merge): the history keeps who wrote what, at
 * the batch's resolution (milliseconds), with one row and one trace record
 * instead of one per keystroke.
 */
function coalesce(batch: Pending[]): Array<{ entry: NewDocUpdate; waiting: Pending[] }> {
  const groups = new Map<string, { entries: NewDocUpdate[]; waiting: Pending[] }>();
  for (const p of batch) {
    const key = `${p.entry.docId}\u0000${p.entry.author}`;
    const group = groups.get(key) ?? { entries: [], waiting: [] };
    group.entries.push(p.entry);
    group.waiting.push(p);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ entries, waiting }) => {
    const first = entries[0]!;
    if (entries.length === 1) return { entry: first, waiting };
    return {
      entry: {
        docId: first.docId,
        author: first.author,
        body: mergeUpdates(entries.map((e) => e.body)),
        newClients: [...new Set(entries.flatMap((e) => e.newClients ?? []))],
      },
      waiting,
    };
  });
}

/**
 * Group commit: one transaction at a time stores every update that arrived
 * while the previous one was committing or pausing after it. A lone update
 * is written at once; one that comes within the pause after a commit waits
 * for the pause's end with the others, so a steady stream (ten pads with
 * five pupils each: 250 updates a second, each commit taking less than the
 * gap between two) is stored in ticks (at most five a second) rather than
 * in a commit per update, whose fixed price was most of a docs server's CPU
 * on PGlite. Under load, batches grow instead of transactions piling up
 * (PGlite is a single connection; PostgreSQL would serialise on the
 * document rows anyway).
 */
export class UpdateWriter {
  readonly #queue: Pending[] = [];
  #running: Promise<void> | null = null;
  /** When the pause after the last commit ends (performance.now()). */
  #pauseEnds = 0;
  /** Number of transactions committed (for the benchmark). */
  commits = 0;
  /** Longest pause between two commits under load (an acknowledgement waits at most this much longer). */
  readonly maxPauseMs: number;
  /** Shortest pause between two commits under load (see MIN_PAUSE_MS). */
  readonly minPauseMs: number;

  constructor(
    private readonly deps: {
      db: DocsExecutor;
      log: Logger;
      maxBatch?: number;
      maxBatchBytes?: number;
      maxPauseMs?: number;
      minPauseMs?: number;
    },
  ) {
    this.maxPauseMs = deps.maxPauseMs ?? 1000;
    this.minPauseMs = Math.min(this.maxPauseMs, deps.minPauseMs ?? MIN_PAUSE_MS);
  }

  /** Stores one update; resolves once it is committed. */
  append(entry: NewDocUpdate): Promise<Stored> {
    return new Promise<Stored>((resolve, reject) => {
      this.#queue.push({ entry, resolve, reject });
      this.#running ??= this.#run().finally(() => {
        this.#running = null;
      });
    });
  }

  /** Resolves when everything queued so far is committed or failed. */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    const maxBatch = this.deps.maxBatch ?? 1000;
    const maxBytes = this.deps.maxBatchBytes ?? 8 * 1024 * 1024;
    while (this.#queue.length > 0) {
      const wait = this.#pauseEnds - performance.now();
      if (wait > 0) await sleep(wait);
      let bytes = 0;
      let n = 0;
      while (n < this.#queue.length && n < maxBatch && (n === 0 || bytes < maxBytes)) {
        bytes += this.#queue[n]!.entry.body.byteLength;
        n += 1;
      }
      const groups = coalesce(this.#queue.splice(0, n));
      const started = performance.now();
      try {
        const results = await appendDocUpdates(
          this.deps.db,
          groups.map((g) => g.entry),
        );
        this.commits += 1;
        results.forEach((result, i) => {
          for (const p of groups[i]!.waiting) {
            if (result.ok) p.resolve(result);
            else p.reject(result.error);
          }
        });
      } catch (err) {
        for (const g of groups) for (const p of g.waiting) p.reject(err);
      }
      // Pause in proportion to what a commit costs, and at least a tick, so
      // the next batch gathers (and merges) more: the database then takes at
      // most about a fifth of the time, and commits at most 1000 / minPauseMs
      // times a second. After a pause with nothing to store, the next update
      // is written at once.
      const ended = performance.now();
      this.#pauseEnds =
        ended +
        Math.min(this.maxPauseMs, Math.max(this.minPauseMs, (ended - started) * PAUSE_FACTOR));
    }
  }
}
