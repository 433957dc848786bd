import type { PGliteLike } from './pgliteThread';

/** How many borrowers may go ahead of a waiting background one, at most, in a row. */
const MAX_OVERTAKES = 8;

/**
 * Presents one PGlite instance as the small part of node-postgres' Pool that
 * Kysely's PostgresDialect uses. PGlite is a single connection, so the pool
 * hands it to one borrower at a time: a transaction keeps it until it is
 * released, and no two transactions interleave.
 *
 * Background work (the archiver) borrows it through `background()`: it gets
 * the connection only when no other borrower is waiting, so a live edit
 * queued behind it waits for the statement or transaction in progress, never
 * for a queue of background ones. So that background work still advances
 * under constant traffic, a background borrower is served after at most
 * `MAX_OVERTAKES` others went ahead of it.
 */
export class PGlitePool {
  #queue: Array<() => void> = [];
  #low: Array<() => void> = [];
  #overtakes = 0;
  #busy = false;
  #ended = false;
  #liveWaitedAt = Number.NEGATIVE_INFINITY;

  constructor(readonly pglite: PGliteLike) {}

  /** Borrows the connection, waiting for the current borrower to release it. */
  async connect() {
    if (this.#ended) throw new Error('database is closed');
    if (this.#busy) {
      this.#liveWaitedAt = performance.now();
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    }
    this.#busy = true;
    return this.#client();
  }

  /** Milliseconds since a borrower other than background work last found the connection taken. */
  liveWaitedAgoMs(): number {
    return performance.now() - this.#liveWaitedAt;
  }

  /** The same connection, lent to background work only when nobody else waits for it. */
  background(): { connect: () => ReturnType<PGlitePool['connect']>; end: () => Promise<void> } {
    return {
      connect: async () => {
        if (this.#ended) throw new Error('database is closed');
        if (this.#busy) await new Promise<void>((resolve) => this.#low.push(resolve));
        this.#busy = true;
        return this.#client();
      },
      // The pool is closed by its main user.
      end: async () => undefined,
    };
  }

  #client() {
    return {
      query: async (sql: string, params: readonly unknown[] = []) => {
        // Without parameters, the simple protocol (exec) also runs multi-statement
        // scripts such as migrations; the last statement's result is the answer.
        const res =
          params.length === 0
            ? await this.pglite.exec(sql)
            : await this.pglite.query(sql, params as unknown[]);
        const rows = (res?.rows ?? []) as Record<string, unknown>[];
        return { rows, rowCount: res?.affectedRows ?? rows.length, command: commandOf(sql) };
      },
      release: () => this.#release(),
    };
  }

  #release() {
    const low =
      this.#low.length > 0 && (this.#queue.length === 0 || this.#overtakes >= MAX_OVERTAKES);
    const next = low ? this.#low.shift() : this.#queue.shift();
    if (low) this.#overtakes = 0;
    else if (next && this.#low.length > 0) this.#overtakes += 1;
    if (next) next();
    else this.#busy = false;
  }

  /** Closes PGlite once every borrower is done. */
  async end() {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#busy) await new Promise<void>((resolve) => this.#queue.push(resolve));
    await this.pglite.close();
  }
}

function commandOf(sql: string) {
  return sql.trimStart().split(/\s/, 1)[0]?.toUpperCase() ?? '';
}
