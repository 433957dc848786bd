import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_NODE_ENV, DOCUMENT_NODE_FLAGS } from '../../../deploy/nodeFlags';
import { PGliteThread } from './pgliteThread';

const MB = 1024 * 1024;
const THREAD = fileURLToPath(new URL('./pgliteThread.ts', import.meta.url));

// Opening PGlite leaves heap and buffers nobody references behind (its file
// bundle, its WebAssembly bytes, the extension's archive). A server's
// database thread does little JavaScript afterwards: nothing made V8 collect
// them, and the thread held its opening's heap (36 MB; 20 once collected)
// for as long as the process lived.
describe('the PGlite thread of a server', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'preau-pglite-thread-'));
    // A database that exists, as a server opens it (made from the run's template when there is one).
    const first = new PGliteThread(join(dir, 'data'), process.env.PREAU_PGLITE_TEMPLATE);
    await first.ready();
    await first.exec('CREATE TABLE kept (n int)');
    await first.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives back what opening left behind while nothing else runs on it', async () => {
    // In a process of its own, started as a docs node is (this runner's own
    // loading already makes the thread collect).
    const script = `
      import { PGliteThread } from ${JSON.stringify(THREAD)};
      const thread = new PGliteThread(${JSON.stringify(join(dir, 'data'))});
      await thread.ready();
      const opened = await thread.heapStatistics();
      await new Promise((r) => setTimeout(r, 10_000));
      const idle = await thread.heapStatistics();
      const { rows } = await thread.query('SELECT count(*)::int AS n FROM kept', []);
      await thread.close();
      console.log(JSON.stringify({ opened: opened.total_physical_size, idle: idle.total_physical_size, rows }));`;
    const file = join(dir, 'open.mts');
    await writeFile(file, script);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...DOCUMENT_NODE_FLAGS, '--import', 'tsx', file],
      { env: { ...process.env, ...DOCUMENT_NODE_ENV }, timeout: 50_000 },
    );
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!);
    const mb = (n: number) => Math.round(n / MB);
    expect(mb(seen.idle), `the thread's heap just open: ${mb(seen.opened)} MB`).toBeLessThan(28);
    // And the database still answers.
    expect(seen.rows).toEqual([{ n: 0 }]);
  }, 60_000);

  it('flushes each commit to the disk before it answers, in a folder only', async () => {
    const thread = new PGliteThread(join(dir, 'data'));
    const memory = new PGliteThread();
    try {
      await thread.ready();
      await memory.ready();
      const { rows } = await thread.query('SHOW fsync', []);
      expect(rows).toEqual([{ fsync: 'on' }]);
      // Each commit that wrote: its WAL flushed before the answer comes.
      for (let i = 1; i <= 3; i++) {
        const before = await thread.flushes();
        await thread.query('INSERT INTO kept VALUES ($1)', [i]);
        expect(await thread.flushes(), `commit ${i}`).toBeGreaterThan(before);
      }
      // A read commits nothing to flush.
      const before = await thread.flushes();
      await thread.query('SELECT count(*) FROM kept', []);
      expect(await thread.flushes()).toBe(before);
      // A database in memory has no disk to flush to.
      await memory.exec('CREATE TABLE t (n int); INSERT INTO t VALUES (1)');
      expect(await memory.flushes()).toBe(0);
    } finally {
      await thread.query('DELETE FROM kept', []).catch(() => undefined);
      await Promise.all([thread.close(), memory.close()]);
    }
  }, 60_000);
});
