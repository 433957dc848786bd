// The second reference of the docs benchmark: a stock Hocuspocus server (the
// one Préau's docs server builds on) with its own database extension,
// @hocuspocus/extension-database, keeping each document's whole state in
// SQLite (Node's built-in node:sqlite, as @hocuspocus/extension-sqlite does
// with the sqlite3 package). Like every Hocuspocus deployment it stores a
// document a while after its changes (debounced, 2 s, at most 10 s), not each
// change before it is acknowledged. PORT and DB_FILE from the environment.
import { DatabaseSync } from 'node:sqlite';
import { Database } from '@hocuspocus/extension-database';
import { Server } from '@hocuspocus/server';

const db = new DatabaseSync(process.env.DB_FILE ?? ':memory:');
db.exec('CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, data BLOB)');
const select = db.prepare('SELECT data FROM documents WHERE name = ?');
const upsert = db.prepare(
  'INSERT INTO documents (name, data) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data',
);

const server = new Server({
  port: Number(process.env.PORT),
  address: '127.0.0.1',
  quiet: true,
  extensions: [
    new Database({
      fetch: async ({ documentName }) => {
        const row = select.get(documentName);
        return row ? new Uint8Array(row.data) : null;
      },
      store: async ({ documentName, state }) => {
        upsert.run(documentName, state);
      },
    }),
  ],
});
await server.listen();
console.log(`hocuspocus running at 127.0.0.1:${process.env.PORT}`);
