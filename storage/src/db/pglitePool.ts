import type { PGliteLike } from './pgliteThread';

/**
 * Presents one PGlite instance as the small part of node-postgres' Pool that
 * Kysely's PostgresDialect uses. PGlite is a single connection, so the pool
 * hands it to one borrower at a time: a transaction keeps it until it is
 * released, and no two transactions interleave.
 */
export class PGlitePool {
  #queue: Array<() => void> = [];
  #busy = false;
  #ended = false;

  constructor(readonly pglite: PGliteLike) {}

  /** Borrows the connection, waiting for the current borrower to release it. */
  async connect() {
    if (this.#ended) throw new Error('database is closed');
    if (this.#busy) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#busy = true;
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
    const next = this.#queue.shift();
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
