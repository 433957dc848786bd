// Benchmark of the docs server (run: `npx tsx load-tests/docs-bench.ts`; it prints
// figures and asserts nothing). In one run:
//  1. N pads × M simulated editors (Node Yjs clients) typing, against Préau's
//     docs server (its own process, `docs-server/src/main.ts`, embedded PGlite:
//     every update stored and traced before it is acknowledged) and against the
//     reference Yjs server `@y/websocket-server` (its own process, in memory),
//     and against a stock Hocuspocus server with its database extension on
//     SQLite (its own process, `reference/hocuspocus.mjs`); update propagation
//     p50/p99, server CPU and memory, and the ratios;
//  2. the memory of Préau's docs server per open document and per participant
//     (resident memory, and the live heap after a full collection read through
//     the server's inspector on loopback: before, with everyone connected, and
//     once everyone left
//     and the documents were unloaded).
// The cold load of long histories is `cold-load.ts`.
// Options (environment): PADS (10), EDITORS (5), SECONDS (20), RATE (keystrokes
// per second per editor, 5), POSTGRES=1 (a throwaway PostgreSQL from Debian's
// packages instead of the embedded PGlite), PROFILE=dir (the docs server and
// Hocuspocus write CPU profiles there, `node --cpu-prof`), ALLOC=dir (the docs
// server's allocations while typing, sampled, as `docs-server.heapprofile`),
// DOCS_FLAGS='…' (Node flags for the docs server instead of
// deploy/nodeFlags.ts's), REFERENCES=0 (Préau's docs server only), LONG=N
// (with REFERENCES=0: one more pad, stored with N one-letter updates typed at
// random places, its snapshot 499 updates behind, so that its editors' typing
// compacts it at once and every 500 updates after: the stall a long
// document's compaction puts on every other document shows in the p99 and
// the longest propagation, printed as well), ROUNDS=N (the three servers
// typed against N times in turn, each round on pads of its own: a machine
// whose speed moves between minutes then gives each ratio N times, and
// their medians are printed last).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { DOCS_WS_PATH } from '@preau/protocol';
import { generateSigningKey, mintCapability, silentLogger } from '@preau/protocol/server';
import { createDoc, openDatabase } from '@preau/storage';
import * as Y from 'yjs';
import { nodeEnvFor, nodeFlagsFor } from '../deploy/nodeFlags';
import { freePort } from '../tests/support/ports';
import { startPostgres, type TestPostgres } from '../tests/support/postgres';
import {
  heapNowMb,
  INSPECT_FLAG,
  inspectorOf,
  liveHeapMb,
  sampleAllocations,
} from './support/heap';
import { storeHistory } from './support/history';
import { threadCpu, threadCpuSince } from './support/threads';
import { percentile, referenceEditor } from './support/yjsBench';

const PADS = Number(process.env.PADS ?? 10);
const EDITORS = Number(process.env.EDITORS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 20);
const RATE = Number(process.env.RATE ?? 5);
const PROFILE = process.env.PROFILE;
const ALLOC = process.env.ALLOC;
const LONG = Number(process.env.LONG ?? 0);
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 1));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCS_MAIN = join(ROOT, 'docs-server/src/main.ts');
const REFERENCE_MAIN = join(ROOT, 'load-tests/reference/server.mjs');
const HOCUSPOCUS_MAIN = join(ROOT, 'load-tests/reference/hocuspocus.mjs');
const ISSUER = 'preau-bench';
const SPACE = 'class_bench';
const CLK_TCK = 100;

// --- processes and their CPU and memory ------------------------------------

interface Server {
  child: ChildProcess;
  port: number;
  /** The V8 inspector of Préau's docs server (the live heap is read through it). */
  inspector?: string;
}

async function startDocsServer(env: Record<string, string>): Promise<Server> {
  const profile = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      // On loopback, only to collect garbage and read the heap between phases.
      INSPECT_FLAG,
      ...(process.env.DOCS_FLAGS === undefined
        ? nodeFlagsFor(DOCS_MAIN)
        : process.env.DOCS_FLAGS.split(' ').filter(Boolean)),
      '--import',
      'tsx',
      DOCS_MAIN,
    ],
    {
      cwd: ROOT,
      env: { ...nodeEnvFor(DOCS_MAIN), ...process.env, DOCS_PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const inspector = inspectorOf(child.stderr!);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`docs server exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /"port":(\d+)/.exec(line);
      if (m && line.includes('docs server listening')) resolve(Number(m[1]));
    });
  });
  return { child, port, inspector: await inspector };
}

async function startReferenceServer(): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [REFERENCE_MAIN], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`reference server exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('running at')) resolve();
    });
  });
  return { child, port };
}

async function startHocuspocus(dbFile: string): Promise<Server> {
  const port = await freePort();
  const profile = PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`, '--cpu-prof-name=hocuspocus.cpuprofile']
    : [];
  const child = spawn(process.execPath, [...profile, HOCUSPOCUS_MAIN], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DB_FILE: dbFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hocuspocus exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('hocuspocus running at')) resolve();
    });
  });
  return { child, port };
}

async function stop(server: Server) {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The resident memory of a process just started, once it has held still for
 * two seconds (within a megabyte): a docs server passes 650–750 MB for about
 * a second after it listens (V8 compiling PGlite's WebAssembly), then gives
 * it back.
 */
async function settledRssMb(pid: number): Promise<number> {
  let last = usage(pid).rssMb;
  let still = 0;
  for (let i = 0; i < 60 && still < 8; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = usage(pid).rssMb;
    still = Math.abs(now - last) < 1 ? still + 1 : 0;
    last = now;
  }
  return last;
}

/** CPU seconds (user + system) and resident memory of a process, from /proc. */
function usage(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpu, rssMb: rss / 1024 };
}

/**
 * CPU seconds used so far by the PostgreSQL server listening on `port` (its
 * postmaster, found by its command line, and every process under it), or
 * null when there is none: with PGlite the database runs inside the docs
 * server and is counted with it.
 */
function postgresCpu(port: number | null): number | null {
  if (port === null) return null;
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return {
          pid: Number(pid),
          ppid: Number(fields[1]),
          // Its own time and that of its children gone and reaped (short-lived workers).
          cpu:
            (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) /
            CLK_TCK,
          cmdline,
        };
      } catch {
        return null; // gone meanwhile
      }
    })
    .filter((p) => p !== null);
  const master = procs.find(
    (p) => p.cmdline.includes('postgres') && p.cmdline.includes(`-p ${port}`),
  );
  if (!master) return null;
  // Every process under the postmaster (backends, workers).
  const tree = new Set([master.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  return procs.filter((p) => tree.has(p.pid)).reduce((a, p) => a + p.cpu, 0);
}

// --- clients -----------------------------------------------------------------

/** A simulated editor: a Yjs document connected to one server. */
interface Editor {
  doc: Y.Doc;
  synced: Promise<void>;
  close(): void;
}

function preauEditor(port: number, docId: string, token: string): Editor {
  return hocuspocusEditor(
    `ws://127.0.0.1:${port}${DOCS_WS_PATH}/${docId}?token=${encodeURIComponent(token)}`,
    docId,
    token,
  );
}

/** A Hocuspocus provider: Préau's client, and the client of the Hocuspocus reference. */
function hocuspocusEditor(url: string, docId: string, token?: string): Editor {
  const doc = new Y.Doc();
  const provider = new HocuspocusProvider({
    url,
    name: docId,
    token: token ?? null,
    document: doc,
  });
  const synced = new Promise<void>((resolve) => {
    if (provider.isSynced) resolve();
    provider.on('synced', () => resolve());
  });
  return { doc, synced, close: () => provider.destroy() };
}

// --- the typing workload -----------------------------------------------------

interface Figures {
  label: string;
  samples: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /**
   * The p99 of the deliveries in the first second of typing, and of those
   * after it: every editor's first keystrokes come within 240 ms of each
   * other, and run code the server has not run yet (load-tests/README.md,
   * "The first second of typing").
   */
  p99FirstSecond: number;
  p99AfterFirstSecond: number;
  cpuPercent: number;
  /** CPU of the PostgreSQL server meanwhile (null: none, or in process). */
  dbCpuPercent: number | null;
  rssPeakMb: number;
  rssEndMb: number;
  keystrokes: number;
  converged: boolean;
  /** The server's CPU seconds while typing, by thread name (`threadCpuSince`). */
  threads: string;
  /** The CPU seconds of this process (the editors) meanwhile: it shares the machine's cores. */
  editorsCpuS: number;
}

/** A pad's history on the text the editors type in: `count` letters typed at random places. */
function longHistory(count: number): Uint8Array[] {
  const writer = new Y.Doc();
  const text = writer.getText('default');
  const updates: Uint8Array[] = [];
  writer.on('update', (u: Uint8Array) => updates.push(u));
  while (updates.length < count) text.insert(Math.floor(Math.random() * (text.length + 1)), 'x');
  return updates;
}

/**
 * Each keystroke inserts one character at a random place of the pad and, in
 * the same transaction, stamps the sending time in a map; every other editor
 * of the pad records how long the stamp took to reach it.
 */
async function typingRun(
  label: string,
  server: Server,
  editors: Editor[][],
  pgPort: number | null,
): Promise<Figures> {
  await Promise.all(editors.flat().map((e) => e.synced));
  const latencies: number[] = [];
  // When each delivery arrived (performance.now()), in the order of `latencies`.
  const arrivals: number[] = [];
  for (const pad of editors) {
    for (const [i, editor] of pad.entries()) {
      editor.doc.getMap<number>('stamps').observe((event, txn) => {
        if (txn.local) return;
        const now = performance.now();
        for (const key of event.keysChanged) {
          if (key === String(i)) continue;
          const sent = event.target.get(key);
          if (sent === undefined) continue;
          latencies.push(now - sent);
          arrivals.push(now);
        }
      });
    }
  }
  let keystrokes = 0;
  const start = usage(server.child.pid!);
  const dbStart = postgresCpu(pgPort);
  const threadsStart = threadCpu(server.child.pid!);
  const editorsStart = process.cpuUsage();
  let rssPeak = start.rssMb;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, usage(server.child.pid!).rssMb);
  }, 500);
  const t0 = performance.now();
  const timers = editors.flat().map((editor, i) => {
    const text = editor.doc.getText('default');
    const stamps = editor.doc.getMap<number>('stamps');
    const key = String(i % EDITORS);
    return setInterval(
      () => {
        editor.doc.transact(() => {
          text.insert(
            Math.floor(Math.random() * (text.length + 1)),
            'abcdefghij'[keystrokes % 10]!,
          );
          stamps.set(key, performance.now());
        });
        keystrokes += 1;
      },
      (1000 / RATE) * (0.8 + Math.random() * 0.4),
    );
  });
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  for (const t of timers) clearInterval(t);
  const elapsed = (performance.now() - t0) / 1000;
  const end = usage(server.child.pid!);
  const dbEnd = postgresCpu(pgPort);
  const threads = threadCpuSince(threadsStart, server.child.pid!);
  const editorsCpu = process.cpuUsage(editorsStart);
  clearInterval(sampler);
  // Let the last updates arrive, then check that every pad converged.
  let converged = false;
  for (let i = 0; i < 100 && !converged; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    converged = editors.every((pad) =>
      pad.every(
        (e) => e.doc.getText('default').toString() === pad[0]!.doc.getText('default').toString(),
      ),
    );
  }
  const firstSecond: number[] = [];
  const afterIt: number[] = [];
  for (const [i, ms] of latencies.entries()) {
    (arrivals[i]! - t0 < 1000 ? firstSecond : afterIt).push(ms);
  }
  const p99Of = (values: number[]) =>
    percentile(
      values.sort((a, b) => a - b),
      99,
    );
  const sorted = latencies.sort((a, b) => a - b);
  return {
    label,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted.at(-1) ?? 0,
    p99FirstSecond: p99Of(firstSecond),
    p99AfterFirstSecond: p99Of(afterIt),
    cpuPercent: ((end.cpu - start.cpu) / elapsed) * 100,
    dbCpuPercent: dbStart !== null && dbEnd !== null ? ((dbEnd - dbStart) / elapsed) * 100 : null,
    rssPeakMb: Math.max(rssPeak, end.rssMb),
    rssEndMb: end.rssMb,
    keystrokes,
    converged,
    threads,
    editorsCpuS: (editorsCpu.user + editorsCpu.system) / 1e6,
  };
}

/** The docs server's main-thread heap once the typing ends, before any collection. */
function heapLine(heap: { used: number; total: number }): string {
  return `Préau's docs server, its main thread's heap when the typing ended: ${heap.used.toFixed(0)} MB used, ${heap.total.toFixed(0)} MB held by V8`;
}

/** Where each server's CPU went while typing, and the editors' own (this process). */
function threadLines(figures: Figures[]): string {
  return figures
    .map(
      (f) =>
        `CPU s by thread while typing, ${f.label}: ${f.threads}; the editors' process: ${f.editorsCpuS.toFixed(2)}; ` +
        `propagation p99 in the first second ${f.p99FirstSecond.toFixed(1)} ms, after it ${f.p99AfterFirstSecond.toFixed(1)} ms`,
    )
    .join('\n');
}

/**
 * CPU milliseconds (server, and PostgreSQL's with POSTGRES=1) per keystroke
 * typed: on a busy machine the editors may type less than asked, and a
 * server relaying fewer keystrokes spends less.
 */
function cpuPerKeystroke(f: Figures) {
  return ((f.cpuPercent + (f.dbCpuPercent ?? 0)) * 10 * SECONDS) / Math.max(1, f.keystrokes);
}

// --- the run -------------------------------------------------------------------

/** One server's line of the figures' table. */
const row = (f: Figures) =>
  `| ${f.label} | ${f.p50.toFixed(1)} | ${f.p99.toFixed(1)} | ${f.cpuPercent.toFixed(0)} % | ` +
  `${f.dbCpuPercent === null ? '—' : `${f.dbCpuPercent.toFixed(0)} %`} | ` +
  `${cpuPerKeystroke(f).toFixed(2)} | ` +
  `${f.rssPeakMb.toFixed(0)} / ${f.rssEndMb.toFixed(0)} | ${f.keystrokes} | ${f.samples} | ${f.converged ? 'yes' : 'NO'} |`;
const TABLE_HEAD =
  '\n| server | p50 ms | p99 ms | CPU (one core) | PostgreSQL CPU | CPU ms per keystroke | RSS peak / end MB | keystrokes | deliveries | converged |\n' +
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |';

/** One round's figures, server by server. */
interface RoundFigures {
  preau: Figures;
  hocuspocus: Figures;
  reference: Figures;
}

/** The median of each ratio over the rounds (each round's servers typed against in turn). */
function printMedians(rounds: RoundFigures[]) {
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  const list = (values: number[]) => values.map((v) => v.toFixed(2)).join(', ');
  const lines: Array<[string, (f: RoundFigures) => number]> = [
    ['CPU ms per keystroke, Préau', (f) => cpuPerKeystroke(f.preau)],
    ['CPU ms per keystroke, Hocuspocus', (f) => cpuPerKeystroke(f.hocuspocus)],
    ['CPU ms per keystroke, reference', (f) => cpuPerKeystroke(f.reference)],
    ['Préau / reference, CPU', (f) => cpuPerKeystroke(f.preau) / cpuPerKeystroke(f.reference)],
    ['Préau / reference, p99', (f) => f.preau.p99 / f.reference.p99],
    [
      'Préau / reference, p99 after the first second',
      (f) => f.preau.p99AfterFirstSecond / f.reference.p99AfterFirstSecond,
    ],
    ['Préau / reference, memory', (f) => f.preau.rssPeakMb / f.reference.rssPeakMb],
    ['Préau / Hocuspocus, CPU', (f) => cpuPerKeystroke(f.preau) / cpuPerKeystroke(f.hocuspocus)],
    ['Préau / Hocuspocus, p99', (f) => f.preau.p99 / f.hocuspocus.p99],
  ];
  console.log(
    `\nOver ${rounds.length} rounds: | figure | median | each round |\n| --- | ---: | --- |`,
  );
  for (const [label, of] of lines) {
    const values = rounds.map(of);
    console.log(`| ${label} | ${median(values).toFixed(2)} | ${list(values)} |`);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'preau-docs-bench-'));
  const pg: TestPostgres | undefined =
    process.env.POSTGRES === '1' ? await startPostgres() : undefined;
  const where = pg ? { url: pg.url } : { dataDir: join(dir, 'pglite') };
  const pgPort = pg ? Number(new URL(pg.url).port) : null;
  const dbEnv: Record<string, string> = pg ? { DATABASE_URL: pg.url } : { DATA_DIR: dir };
  const key = await generateSigningKey('bench');
  const env = { ...dbEnv, JWKS: JSON.stringify({ keys: [key.publicJwk] }), TOKEN_ISSUER: ISSUER };
  const mint = (sub: string, doc: string) =>
    mintCapability(
      key,
      { issuer: ISSUER, audience: 'preau:docs', ttlSeconds: 600 },
      { sub, name: sub, profiles: [], space: SPACE, rights: ['read', 'write'], doc },
    );

  try {
    // Documents are created before the server starts (PGlite: one process at a time).
    const setup = await openDatabase(where, silentLogger());
    const padsOf: string[][] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const pads: string[] = [];
      for (let i = 0; i < PADS; i++) {
        pads.push(
          (
            await createDoc(setup.db, {
              space: SPACE,
              kind: 'pad',
              title: `Pad ${r}.${i}`,
              actor: 'b',
            })
          ).id,
        );
      }
      padsOf.push(pads);
    }
    if (LONG > 0) {
      if (process.env.REFERENCES !== '0') throw new Error('LONG needs REFERENCES=0');
      const docId = (
        await createDoc(setup.db, { space: SPACE, kind: 'pad', title: 'Long', actor: 'b' })
      ).id;
      await storeHistory(setup, docId, longHistory(LONG), LONG - 499);
      padsOf[0]!.push(docId);
    }
    await setup.close();

    console.log(
      `docs benchmark: ${PADS} pads × ${EDITORS} editors, ${RATE} keystrokes/s each, ${SECONDS} s; ` +
        `database of the docs server: ${pg ? 'PostgreSQL 15' : 'PGlite'}`,
    );

    /** One round: Préau's docs server, then Hocuspocus, then the reference, each typed against on `pads`. */
    async function round(pads: string[]): Promise<RoundFigures | null> {
      const preau = await startDocsServer(env);
      const rssEmpty = await settledRssMb(preau.child.pid!);
      const heapEmpty = await liveHeapMb(preau.inspector!);
      const preauEditors = await Promise.all(
        pads.map(async (docId) =>
          Promise.all(
            Array.from({ length: EDITORS }, async (_, i) =>
              preauEditor(preau.port, docId, await mint(`editor${i}`, docId)),
            ),
          ),
        ),
      );
      await Promise.all(preauEditors.flat().map((e) => e.synced));
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const rssConnected = usage(preau.child.pid!).rssMb;
      const heapConnected = await liveHeapMb(preau.inspector!);
      const allocations = ALLOC ? await sampleAllocations(preau.inspector!) : undefined;
      const preauFigures = await typingRun("Préau's docs server", preau, preauEditors, pgPort);
      const heapTyped = await heapNowMb(preau.inspector!);
      if (allocations && ALLOC) {
        writeFileSync(join(ALLOC, 'docs-server.heapprofile'), JSON.stringify(await allocations()));
      }
      for (const e of preauEditors.flat()) e.close();
      // Everyone left: every document must be unloaded (the health check counts them).
      let open = -1;
      for (let i = 0; i < 100 && open !== 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const health = await fetch(`http://127.0.0.1:${preau.port}/healthz`);
        open = ((await health.json()) as { documents: number }).documents;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const rssLeft = usage(preau.child.pid!).rssMb;
      const heapLeft = await liveHeapMb(preau.inspector!);
      await stop(preau);
      if (process.env.REFERENCES === '0') {
        console.log(TABLE_HEAD);
        console.log(row(preauFigures));
        console.log(threadLines([preauFigures]));
        console.log(heapLine(heapTyped));
        if (LONG > 0) {
          console.log(
            `with a pad of ${LONG} stored updates among them: longest propagation ` +
              `${preauFigures.max.toFixed(0)} ms, p99.9 ${preauFigures.p999.toFixed(1)} ms`,
          );
        }
        return null;
      }

      const hocuspocus = await startHocuspocus(join(dir, 'hocuspocus.sqlite'));
      const hpEditors = pads.map((docId) =>
        Array.from({ length: EDITORS }, () =>
          hocuspocusEditor(`ws://127.0.0.1:${hocuspocus.port}`, docId),
        ),
      );
      const hpFigures = await typingRun(
        'Hocuspocus 4.7 + extension-database (SQLite)',
        hocuspocus,
        hpEditors,
        null,
      );
      for (const e of hpEditors.flat()) e.close();
      await stop(hocuspocus);

      const reference = await startReferenceServer();
      const refEditors = pads.map((docId) =>
        Array.from({ length: EDITORS }, () => referenceEditor(reference.port, docId)),
      );
      const refFigures = await typingRun('@y/websocket-server 0.1.5', reference, refEditors, null);
      for (const e of refEditors.flat()) e.close();
      await stop(reference);

      // The CPU ratio counts PostgreSQL's too: the references store nothing or little.
      const ratio = (f: Figures, to: Figures) =>
        `| Préau / ${to.label.split(' ')[0]} | ${(f.p50 / to.p50).toFixed(2)} | ` +
        `${(f.p99 / to.p99).toFixed(2)} | ` +
        `${((f.cpuPercent + (f.dbCpuPercent ?? 0)) / to.cpuPercent).toFixed(2)} | | ` +
        `${(cpuPerKeystroke(f) / cpuPerKeystroke(to)).toFixed(2)} | ` +
        `${(f.rssPeakMb / to.rssPeakMb).toFixed(2)} | | | |`;
      console.log(TABLE_HEAD);
      console.log(row(preauFigures));
      console.log(row(hpFigures));
      console.log(row(refFigures));
      console.log(ratio(preauFigures, refFigures));
      console.log(ratio(preauFigures, hpFigures));
      console.log(`\n${threadLines([preauFigures, hpFigures, refFigures])}`);
      console.log(heapLine(heapTyped));
      const participants = PADS * EDITORS;
      console.log(
        `\nPréau's docs server, resident memory: ${rssEmpty.toFixed(0)} MB started, ` +
          `${rssConnected.toFixed(0)} MB with ${PADS} documents and ${participants} participants, ` +
          `${rssLeft.toFixed(0)} MB once everyone left (it moves by more than the participants' ` +
          `share: the live heap below gives that); documents still open then: ${open}`,
      );
      console.log(
        `Its live heap after a full collection: ${heapEmpty.toFixed(1)} MB started, ` +
          `${heapConnected.toFixed(1)} MB with everyone ` +
          `(≈ ${(((heapConnected - heapEmpty) * 1024) / participants).toFixed(1)} KB per participant, ` +
          `their document's share included), ${heapLeft.toFixed(1)} MB once everyone left`,
      );
      return { preau: preauFigures, hocuspocus: hpFigures, reference: refFigures };
    }

    const rounds: Array<RoundFigures | null> = [];
    for (const [r, roundPads] of padsOf.entries()) {
      if (ROUNDS > 1) console.log(`\nround ${r + 1} of ${ROUNDS}`);
      rounds.push(await round(roundPads));
    }
    if (ROUNDS > 1 && rounds.every((f) => f !== null)) printMedians(rounds as RoundFigures[]);
  } finally {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const minutes = 5 + 10 * ROUNDS;
const deadline = setTimeout(() => {
  console.error(`benchmark took more than ${minutes} minutes: stopping`);
  process.exit(1);
}, minutes * 60_000);
deadline.unref();
main().then(
  // Exit once stdout has drained (a pipe is written asynchronously).
  () => process.stdout.write('', () => process.exit(0)),
  (err: unknown) => {
    console.error(err);
    process.stdout.write('', () => process.exit(1));
  },
);
