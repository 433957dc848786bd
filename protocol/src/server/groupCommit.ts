/**
 * Group commit: items handed in one by one are written in batches, one batch
 * at a time. A lone item goes at once; items that arrive while a batch is
 * being written wait for it and then go together in the next one. Under load
 * the batches grow instead of statements piling up in the database pool
 * (each statement costs a round trip, a commit and a system call or two on
 * each side, whatever its size).
 *
 * `write` receives the batch in arrival order and answers one result per
 * item, in the same order. If it throws for a batch of several items, each
 * item is written again on its own, in order, so that one bad item (or a
 * passing failure) fails alone and not the others that happened to share
 * its batch; an item that fails on its own is rejected with its error.
 */
export class GroupCommit<I, O> {
  readonly #write: (batch: I[]) => Promise<O[]>;
  readonly #maxBatch: number;
  #waiting: Array<{ item: I; resolve(out: O): void; reject(err: unknown): void }> = [];
  #writing = false;

  constructor(write: (batch: I[]) => Promise<O[]>, options: { maxBatch?: number } = {}) {
    this.#write = write;
    this.#maxBatch = options.maxBatch ?? 500;
  }

  /** Resolves with the item's result once the batch holding it is written. */
  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, this.#maxBatch);
        try {
          const results = await this.#writeBatch(batch.map((w) => w.item));
          for (const [i, w] of batch.entries()) w.resolve(results[i]!);
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          else for (const w of batch) await this.#writeAlone(w);
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  async #writeBatch(items: I[]): Promise<O[]> {
    const results = await this.#write(items);
    if (results.length !== items.length)
      throw new Error(`a batch of ${items.length} answered ${results.length} results`);
    return results;
  }

  async #writeAlone(w: { item: I; resolve(out: O): void; reject(err: unknown): void }) {
    try {
      w.resolve((await this.#writeBatch([w.item]))[0]!);
    } catch (err) {
      w.reject(err);
    }
  }
}
