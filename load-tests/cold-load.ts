// Cold load of long-lived documents (run: `npx tsx load-tests/cold-load.ts`; it
// prints figures and asserts nothing but "opening wrote nothing"). For each
// database (PGlite, then PostgreSQL when installed), it stores:
//  - a pad of HISTORY one-letter updates typed at random places (the worst case
//    for Yjs: no two letters merge), with the snapshot the writes keep compacted
//    (every 500 updates) and a tail of TAIL updates after it;
//  - the same history with no snapshot at all (a pad stored before snapshots);
//  - a board of ELEMENTS elements, one stored update each, compacted the same way;
// then, RUNS times per document and per way of answering, starts a fresh docs
// server process (`docs-server/src/main.ts`) and times a client from
// connecting to its first sync complete: answered from the stored bytes while
// the server integrates them (the default), and answered after the server has
// integrated them (DOCS_FIRST_SYNC_FROM_STORAGE=false, as Hocuspocus does),
// alternately. Besides wall times (which the machine's load distorts), the CPU
// time of the client and of the server process until the first sync. The
// server's own log gives the database read and the apply.
// Options (environment): HISTORY (100000), TAIL (499), ELEMENTS (5000), RUNS (3),
// ENGINES (pglite,postgres), LEGACY=0 (leave out the pad without a snapshot),
// PROFILE=dir (each fresh docs server writes a CPU profile there, and the
// client's CPU from connecting to its first sync goes there too, as
// `client-<n>.cpuprofile`), DOCS_FLAGS='--flag …' (Node flags for the docs
// server instead of deploy/nodeFlags.ts's).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { DOCS_WS_PATH } from '@preau/protocol';
import { boardElementsArray, mergeParts, pushBoardElement } from '@preau/protocol/docs-model';
import { generateSigningKey, mintCapability, silentLogger } from '@preau/protocol/server';
import { createDoc, type Database, openDatabase } from '@preau/storage';
import { sql } from 'kysely';
import * as Y from 'yjs';
import { nodeEnvFor, nodeFlagsFor } from '../deploy/nodeFlags';
import { startPostgres, type TestPostgres } from '../tests/support/postgres';
import { padHistory, storeHistory } from './support/history';

const HISTORY = Number(process.env.HISTORY ?? 100_000);
const TAIL = Number(process.env.TAIL ?? 499);
const ELEMENTS = Number(process.env.ELEMENTS ?? 5000);
const RUNS = Number(process.env.RUNS ?? 3);
const ENGINES = (process.env.ENGINES ?? 'pglite,postgres').split(',');
const LEGACY = process.env.LEGACY !== '0';
const PROFILE = process.env.PROFILE;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCS_MAIN = join(ROOT, 'docs-server/src/main.ts');
const ISSUER = 'preau-bench';
const SPACE = 'class_bench';

/** A board's history: `count` Excalidraw rectangles and texts, one update each. */
function boardHistory(count: number): Uint8Array[] {
  const writer = new Y.Doc();
  const updates: Uint8Array[] = [];
  writer.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < count; i++) {
    const text = i % 5 === 0;
    pushBoardElement(writer, `a${i.toString(36).padStart(4, '0')}`, {
      id: `el${i}`,
      type: text ? 'text' : 'rectangle',
      x: (i % 100) * 30,
      y: Math.floor(i / 100) * 30,
      width: 24,
      height: 24,
      angle: 0,
      strokeColor: '#1e1e1e',
      backgroundColor: 'transparent',
      fillStyle: 'solid',
      strokeWidth: 2,
      roughness: 1,
      opacity: 100,
      seed: i * 7919,
      version: 1,
      versionNonce: i * 104729,
      isDeleted: false,
      groupIds: [],
      boundElements: null,
      updated: Date.now(),
      locked: false,
      ...(text ? { text: `Étiquette ${i}`, fontSize: 20, fontFamily: 1 } : {}),
    });
  }
  if (boardElementsArray(writer).length !== count) throw new Error('board not built');
  return updates;
}

/** What opening must never change: the document's row, its updates and snapshots, the traces. */
async function fingerprint(database: Database, docId: string) {
  const row = await sql<{ v: string }>`
    SELECT concat_ws('/',
      (SELECT last_seq || ' ' || updated_at FROM doc WHERE id = ${docId}),
      (SELECT count(*) FROM doc_update WHERE doc_id = ${docId}),
      (SELECT count(*) || ' ' || coalesce(max(seq), 0) FROM doc_snapshot WHERE doc_id = ${docId}),
      (SELECT count(*) FROM trace_outbox)) AS v`.execute(database.db);
  return row.rows[0]!.v;
}

/** What to stop if the run is cut short (a docs server, PostgreSQL). */
const live = new Set<() => void>();

interface Server {
  child: ChildProcess;
  port: number;
  loaded: Promise<Record<string, number>>;
}

async function startDocsServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.DOCS_FLAGS === undefined
        ? nodeFlagsFor(DOCS_MAIN)
        : process.env.DOCS_FLAGS.split(' ').filter(Boolean)),
      ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []),
      '--import',
      'tsx',
      DOCS_MAIN,
    ],
    {
      cwd: ROOT,
      env: { ...nodeEnvFor(DOCS_MAIN), ...process.env, DOCS_PORT: '0', LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const kill = () => child.kill('SIGKILL');
  live.add(kill);
  child.once('exit', () => live.delete(kill));
  let onLoaded: (fields: Record<string, number>) => void = () => {};
  const loaded = new Promise<Record<string, number>>((resolve) => {
    onLoaded = resolve;
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`docs server exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /"port":(\d+)/.exec(line);
      if (m && line.includes('docs server listening')) resolve(Number(m[1]));
      if (line.includes('"document loaded"')) onLoaded(JSON.parse(line));
    });
  });
  return { child, port, loaded };
}

async function stop(server: Server) {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** CPU time (user + system) a process has used, in ms (10 ms steps). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

let profiles = 0;

/** Starts profiling this process (the client); the function returned writes the profile. */
async function profileClient(): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    writeFileSync(join(PROFILE!, `client-${++profiles}.cpuprofile`), JSON.stringify(profile));
  };
}

type Mode = 'stored' | 'integrated';

/** Time from connecting to the first sync complete, in a fresh server process. */
async function coldOpen(env: Record<string, string>, docId: string, token: string, mode: Mode) {
  const server = await startDocsServer({
    ...env,
    DOCS_FIRST_SYNC_FROM_STORAGE: mode === 'stored' ? 'true' : 'false',
  });
  try {
    const serverCpu0 = processCpuMs(server.child.pid!);
    const profiling = PROFILE ? await profileClient() : undefined;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const doc = new Y.Doc();
    const provider = new HocuspocusProvider({
      url: `ws://127.0.0.1:${server.port}${DOCS_WS_PATH}/${docId}?token=${encodeURIComponent(token)}`,
      name: docId,
      token,
      document: doc,
    });
    await new Promise<void>((resolve) => provider.on('synced', () => resolve()));
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const clientCpuMs = (cpu.user + cpu.system) / 1000;
    const serverCpuMs = processCpuMs(server.child.pid!) - serverCpu0;
    await profiling?.();
    const log = await server.loaded;
    provider.destroy();
    return {
      ms,
      clientCpuMs,
      serverCpuMs,
      readMs: log.readMs ?? 0,
      applyMs: log.applyMs ?? 0,
      doc,
    };
  } finally {
    await stop(server);
  }
}

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function benchEngine(engine: 'pglite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'preau-cold-load-'));
  const pg: TestPostgres | undefined = engine === 'postgres' ? await startPostgres() : undefined;
  const stopPg = () => void pg?.stop();
  live.add(stopPg);
  try {
    const where = pg ? { url: pg.url } : { dataDir: join(dir, 'pglite') };
    const dbEnv: Record<string, string> = pg ? { DATABASE_URL: pg.url } : { DATA_DIR: dir };
    const key = await generateSigningKey('bench');
    const env = { ...dbEnv, JWKS: JSON.stringify({ keys: [key.publicJwk] }), TOKEN_ISSUER: ISSUER };
    const mint = (doc: string) =>
      mintCapability(
        key,
        { issuer: ISSUER, audience: 'preau:docs', ttlSeconds: 600 },
        { sub: 'reader', name: 'reader', profiles: [], space: SPACE, rights: ['read'], doc },
      );

    const pad = padHistory(HISTORY);
    const board = boardHistory(ELEMENTS);
    const snapAt = (n: number) => Math.max(0, n - TAIL);
    const setup = await openDatabase(where, silentLogger());
    const newDoc = async (kind: 'pad' | 'board', title: string) =>
      (await createDoc(setup.db, { space: SPACE, kind, title, actor: 'bench' })).id;
    const targets = [
      {
        label: `pad, ${HISTORY} updates: snapshot + ${HISTORY - snapAt(HISTORY)} after it`,
        id: await newDoc('pad', 'Long'),
        updates: pad,
        snapshotAt: snapAt(HISTORY),
      },
      {
        label: `board, ${ELEMENTS} elements: snapshot + ${ELEMENTS - snapAt(ELEMENTS)} after it`,
        id: await newDoc('board', 'Grand tableau'),
        updates: board,
        snapshotAt: snapAt(ELEMENTS),
      },
    ];
    if (LEGACY) {
      targets.push({
        label: `pad, ${HISTORY} updates, no snapshot (stored before snapshots)`,
        id: await newDoc('pad', 'Ancien'),
        updates: pad,
        snapshotAt: 0,
      });
    }
    const bytes: number[] = [];
    for (const t of targets) bytes.push(await storeHistory(setup, t.id, t.updates, t.snapshotAt));
    const before = await Promise.all(targets.map((t) => fingerprint(setup, t.id)));
    // PGlite: one process at a time on its files.
    await setup.close();

    const results = [];
    for (const [i, t] of targets.entries()) {
      const token = await mint(t.id);
      const runs = [];
      const before = [];
      for (let r = 0; r < RUNS; r++) {
        runs.push(await coldOpen(env, t.id, token, 'stored'));
        before.push(await coldOpen(env, t.id, token, 'integrated'));
      }
      const expected = new Y.Doc();
      Y.applyUpdate(expected, mergeParts(null, t.updates));
      const same = [...runs, ...before].every(
        (run) =>
          JSON.stringify(run.doc.toJSON()) === JSON.stringify(expected.toJSON()) &&
          (t.id !== targets[1]!.id || boardElementsArray(run.doc).length === ELEMENTS),
      );
      results.push({ ...t, runs, before, same, snapshotBytes: bytes[i]! });
    }

    const check = await openDatabase(where, silentLogger());
    const after = await Promise.all(targets.map((t) => fingerprint(check, t.id)));
    await check.close();

    console.log(
      `\n${engine === 'postgres' ? 'PostgreSQL' : 'PGlite'}: first sync complete, fresh process, ${RUNS} runs`,
    );
    console.log(
      '| document | snapshot KB | answered | first sync ms, median (min–max) | client CPU ms | server CPU ms until then | server read ms | server apply ms | same content |',
    );
    console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |');
    const row = (label: string, runs: Awaited<ReturnType<typeof coldOpen>>[]) => {
      const ms = runs.map((x) => x.ms);
      const m = (f: (x: (typeof runs)[number]) => number) => median(runs.map(f)).toFixed(0);
      return (
        `${label} | ${median(ms).toFixed(0)} (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}) | ` +
        `${m((x) => x.clientCpuMs)} | ${m((x) => x.serverCpuMs)} | ${m((x) => x.readMs)} | ${m((x) => x.applyMs)}`
      );
    };
    for (const r of results) {
      const head = `| ${r.label} | ${(r.snapshotBytes / 1024).toFixed(0)} |`;
      const same = r.same ? 'yes' : 'NO';
      console.log(`${head} ${row('from the stored bytes', r.runs)} | ${same} |`);
      console.log(`${head} ${row('after integrating', r.before)} | ${same} |`);
    }
    const untouched = before.every((b, i) => b === after[i]);
    console.log(
      `opening wrote nothing (rows, snapshots, traces unchanged): ${untouched ? 'yes' : 'NO'}`,
    );
    if (!untouched) process.exitCode = 1;
  } finally {
    live.delete(stopPg);
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  for (const engine of ENGINES) {
    if (engine === 'postgres' && !existsSync('/usr/lib/postgresql')) {
      console.log('PostgreSQL is not installed: skipped');
      continue;
    }
    await benchEngine(engine as 'pglite' | 'postgres');
  }
}

const deadline = setTimeout(() => {
  console.error('benchmark took more than 45 minutes: stopping');
  for (const stopIt of live) stopIt();
  process.exit(1);
}, 45 * 60_000);
deadline.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const stopIt of live) stopIt();
    process.exit(1);
  });
}
main().then(
  () => process.stdout.write('', () => process.exit(process.exitCode ?? 0)),
  (err: unknown) => {
    console.error(err);
    process.stdout.write('', () => process.exit(1));
  },
);
