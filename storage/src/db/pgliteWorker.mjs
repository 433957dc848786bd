// The thread PGlite runs on (see pgliteThread.ts). Plain JavaScript: a
// worker thread loads its file with Node's own loader, in any runner.
// Messages in: { id, op: 'exec' | 'query' | 'flushes' | 'close', sql?, params? }.
// Messages out: { id, result: { rows, affectedRows } } or { id, error }.
import { fsyncSync, readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { NodeFS } from '@electric-sql/pglite/nodefs';

// bytea (type 17) comes as PostgreSQL's hex text, decoded here natively:
// PGlite's own parser calls parseInt once per byte, which for a document's
// snapshot (megabytes) costs seconds on a busy machine. A copy of exact size,
// not a view of Node's shared pool, is what crosses to the main thread.
const BYTEA = 17;
const parsers = {
  [BYTEA]: (text) => new Uint8Array(Buffer.from(text.slice(2), 'hex')),
};
// And bytea parameters (arrays of them too: PGlite's array serializer calls
// this one per element) go out as hex encoded natively: PGlite's own
// serializer builds one string per byte, which for a 2 MB snapshot took
// about 0.7 s of this thread and left hundreds of megabytes of garbage.
const serializers = {
  [BYTEA]: (bytes) => {
    if (!ArrayBuffer.isView(bytes)) throw new TypeError('Invalid input for bytea type');
    return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
  },
};

/** Files flushed to the disk since the thread started (a test reads it). */
let flushes = 0;
/**
 * PGlite's own folder (Emscripten's NODEFS) writes through Node's files but
 * never flushes them: its `fsync` is missing, so PostgreSQL's calls do
 * nothing, and PGlite starts PostgreSQL with fsync off. Here a flush is a
 * real `fsync` of the file, and PostgreSQL runs with fsync on, syncing its
 * WAL with `fsync` at each commit: a commit is on the disk before its
 * answer, as on PostgreSQL, and survives a power cut, not only a crash.
 */
class SyncedNodeFS extends NodeFS {
  async init(pg, opts) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const flush = (mod) => {
      mod.FS.filesystems.NODEFS.stream_ops.fsync = (stream) => {
        try {
          fsyncSync(stream.nfd);
          flushes += 1;
          return 0;
        } catch {
          return 29; // EIO: PostgreSQL stops rather than go on after a failed flush.
        }
      };
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...emscriptenOpts.preRun, flush] } };
  }
}

const inFolder = typeof workerData.dataDir === 'string';
// pg_trgm indexes the name searches (migration 0510), as on PostgreSQL.
// Shared buffers of 16 MB instead of initdb's 128 MB: PostgreSQL touches the
// whole of them when it starts, inside the WebAssembly heap, which never
// gives memory back; the embedded database serves one school's small rows,
// read through the operating system's file cache when not in the buffers.
// A cache only: what is committed is written to the files as before.
// A new database may start from a template (a tarball of a data folder made
// by PGlite's dumpDataDir) instead of running initdb: 1.3 s instead of 3.3
// here, most of a test's start.
const opening = PGlite.create({
  ...(inFolder ? { fs: new SyncedNodeFS(workerData.dataDir) } : {}),
  extensions: { pg_trgm },
  parsers,
  serializers,
  startParams: [
    ...PGlite.defaultStartParams.filter((p) => !inFolder || p !== '-F'),
    '-c',
    'shared_buffers=16MB',
    ...(inFolder ? ['-c', 'wal_sync_method=fsync'] : []),
  ],
  ...(workerData.template ? { loadDataDir: new Blob([readFileSync(workerData.template)]) } : {}),
});

// Opening leaves large buffers behind, outside V8's heap (PGlite's file
// bundle and WebAssembly bytes, the extension's archive, a template's
// tarball) that nothing references once the database is open. When nothing
// this thread does afterwards allocates enough for V8 to run a full
// collection, they stay for the life of the process: measured, a database
// in memory kept 574 MB outside the heap (RSS 632 MB); opened as a docs
// node opens its folder, the thread's heap stayed at 36 MB. With one full
// collection once open: 184 MB (RSS 333 MB), and a heap of 20 MB (V8's
// memory reducer, which that collection starts, collects again while the
// thread idles); a docs server typed into holds about 20 MB less.
opening.then(collectGarbage, () => undefined);

/**
 * One full collection of this thread's heap. Unless the process was started
 * with `--expose-gc`, V8 hands `gc` only to a context made while that flag
 * is on: it is put back at once, so no other context of the process gets it.
 */
function collectGarbage() {
  try {
    if (typeof globalThis.gc === 'function') return globalThis.gc();
    v8.setFlagsFromString('--expose-gc');
    let gc;
    try {
      gc = vm.runInNewContext('gc');
    } finally {
      v8.setFlagsFromString('--no-expose-gc');
    }
    gc();
  } catch (err) {
    // Memory only: the database works the same without it (a throw here would end this thread).
    console.warn('PGlite thread: no collection after opening', err);
  }
}

/** What a failed statement tells its caller: PostgreSQL's own fields, as node-postgres gives them. */
function errorOf(err) {
  const out = { message: err instanceof Error ? err.message : String(err) };
  for (const key of [
    'code',
    'detail',
    'hint',
    'constraint',
    'table',
    'column',
    'schema',
    'severity',
  ]) {
    if (err && typeof err[key] === 'string') out[key] = err[key];
  }
  return out;
}

parentPort.on('message', async ({ id, op, sql, params }) => {
  try {
    const db = await opening;
    if (op === 'flushes') {
      parentPort.postMessage({ id, result: { rows: [{ flushes }] } });
      return;
    }
    if (op === 'close') {
      await db.close();
      parentPort.postMessage({ id, result: null });
      return;
    }
    // Without parameters, the simple protocol (exec) also runs multi-statement
    // scripts such as migrations; the last statement's result is the answer.
    const res = op === 'exec' ? (await db.exec(sql)).at(-1) : await db.query(sql, params);
    parentPort.postMessage({
      id,
      result: { rows: res?.rows ?? [], affectedRows: res?.affectedRows },
    });
  } catch (err) {
    parentPort.postMessage({ id, error: errorOf(err) });
  }
});
