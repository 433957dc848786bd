// Benchmark of documents across docs nodes (run: `npx tsx load-tests/docs-nodes-bench.ts`;
// it prints figures and asserts nothing). PADS pads × EDITORS editors, each a
// stock @hocuspocus/provider with a real capability token (the reference: a
// minimal y-websocket client), every editor typing RATE keystrokes a second,
// against three configurations one after the other in the same run:
//  1. one Préau docs node (`docs-server/src/main.ts`) on PostgreSQL;
//  2. two Préau docs nodes on that PostgreSQL and one redis-server, the
//     editors of each pad spread over both;
//  3. the reference Yjs server (`@y/websocket-server`, in memory, stores nothing).
// Figures: propagation p50/p95/p99 (same node and across nodes apart), CPU
// seconds and peak RSS of every server process (PostgreSQL and Redis too),
// updates/s, convergence of every client with the database, and the catch-up's
// `recovered` count. Only 127.0.0.1; every process started here is stopped at
// the end, on failure and on Ctrl-C.
// With `--kill`, a fourth configuration: two docs nodes behind a TCP stand-in
// for the balancer, node A SIGKILLed halfway; its editors come back through
// node B. Figures: acknowledged keystrokes lost (must be 0) and the time until
// every editor of node A is synced again.
// Options: `--small` (4 pads × 6 editors, 15 s), `--kill`, `--only-kill` (the
// fourth configuration alone, to look into recovery), or the environment:
// PADS (30), EDITORS (30), SECONDS (60), RATE (keystrokes/s per editor, 1).

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { DOCS_WS_PATH } from '@preau/protocol';
import { docFromState, mergeParts } from '@preau/protocol/docs-model';
import { generateSigningKey, mintCapability, silentLogger } from '@preau/protocol/server';
import { createDoc, type Database, openDatabase, readDocParts } from '@preau/storage';
import * as Y from 'yjs';
import { saved } from '../docs-server/src/testing/harness';
import { reconnectingEditor, startTcpBalancer } from '../tests/support/docsNodes';
import { startPostgres } from '../tests/support/postgres';
import { startRedis } from '../tests/support/redis';
import { type ServiceProcess, startService } from '../tests/support/service';
import {
  type BenchEditor,
  percentile,
  referenceEditor,
  startReferenceServer,
  treeUsage,
  usage,
} from './support/yjsBench';

const SMALL = process.argv.includes('--small');
const ONLY_KILL = process.argv.includes('--only-kill');
const KILL = ONLY_KILL || process.argv.includes('--kill');
const knob = (name: string, full: number, small: number) => {
  const value = Number(process.env[name] ?? (SMALL ? small : full));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const PADS = knob('PADS', 30, 4);
const EDITORS = knob('EDITORS', 30, 6);
const SECONDS = knob('SECONDS', 60, 15);
const RATE = knob('RATE', 1, 1);
const ISSUER = 'preau-bench';
const SPACE = 'class_nodes_bench';

// --- cleanup, also on failure and Ctrl-C ---------------------------------------

const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
async function cleanup() {
  for (let c = cleanups.pop(); c; c = cleanups.pop()) {
    try {
      await c.run();
    } catch (err) {
      console.error(`stopping ${c.what} failed:`, err);
    }
  }
}
function onStop<T>(what: string, value: T, stop: (value: T) => Promise<void>): T {
  cleanups.push({ what, run: () => stop(value) });
  return value;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping every process started here`);
    void cleanup().finally(() => process.exit(130));
  });
}

// --- editors -----------------------------------------------------------------

interface Editor extends BenchEditor {
  /** The node it is connected to (0 or 1). */
  node: number;
  provider?: HocuspocusProvider;
  /** Keystrokes typed, and how many of them the server had acknowledged (stored) at the last count. */
  typed?: number;
  acked?: number;
}

/** Counts the keystrokes the server acknowledged: all those typed when nothing is left unacknowledged. */
function countAcks(editor: Editor) {
  editor.typed = 0;
  editor.acked = 0;
  editor.provider?.on('unsyncedChanges', ({ number }: { number: number }) => {
    if (number === 0) editor.acked = editor.typed;
  });
}

function preauEditor(port: number, node: number, docId: string, token: string): Editor {
  const doc = new Y.Doc();
  const provider = new HocuspocusProvider({
    url: `ws://127.0.0.1:${port}${DOCS_WS_PATH}/${docId}?token=${encodeURIComponent(token)}`,
    name: docId,
    token,
    document: doc,
  });
  const synced = new Promise<void>((resolve) => {
    if (provider.isSynced) resolve();
    provider.on('synced', () => resolve());
  });
  return { doc, synced, node, provider, close: () => provider.destroy() };
}

/** A provider that comes back by itself after a lost connection, with the browser's settings. */
function reconnectingPreauEditor(port: number, node: number, docId: string, token: string): Editor {
  const doc = new Y.Doc();
  const { provider, destroy } = reconnectingEditor(
    `ws://127.0.0.1:${port}${DOCS_WS_PATH}`,
    docId,
    token,
    doc,
  );
  const synced = new Promise<void>((resolve) => {
    if (provider.isSynced) resolve();
    provider.on('synced', () => resolve());
  });
  return { doc, synced, node, provider, close: destroy };
}

const text = (doc: Y.Doc) => doc.getText('default').toString();

// --- one configuration under typing --------------------------------------------

interface Measured {
  name: string;
  pid: number;
}
interface Tree {
  name: string;
  match: (cmdline: string) => boolean;
}
interface Figures {
  label: string;
  same: number[];
  cross: number[];
  seconds: number;
  keystrokes: number;
  /** CPU seconds and peak RSS (MB) per server process (and database, Redis). */
  processes: Array<{ name: string; cpu: number; rssPeakMb: number }>;
  benchCpu: number;
  /** p99 of this process's event-loop delay (ms): how late its clients read what arrived. */
  benchLagP99: number;
  converged: number;
  convergeNote: string;
  recovered: number | null;
  /** With a node killed: acknowledged keystrokes missing from the database, and seconds until every editor was back. */
  kill?: {
    lost: number;
    acked: number;
    backSeconds: number;
    editors: number;
    /** Seconds after the kill at which node A's editors reached each step of their way back (p50, last). */
    phases: Array<{ phase: string; count: number; p50: number; max: number }>;
  };
}

async function typing(
  label: string,
  editors: Editor[][],
  measured: Measured[],
  trees: Tree[],
  checkConvergence: () => Promise<{ converged: number; note: string }>,
  recovered: () => Promise<number | null>,
  midway?: () => Promise<void>,
): Promise<Figures> {
  const synced = Promise.all(editors.flat().map((e) => e.synced));
  const syncTimeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`${label}: editors not synced within 120 s`)),
      120_000,
    ).unref(),
  );
  await Promise.race([synced, syncTimeout]);
  const same: number[] = [];
  const cross: number[] = [];
  for (const pad of editors) {
    for (const [i, editor] of pad.entries()) {
      editor.doc.getMap<number>('stamps').observe((event, txn) => {
        if (txn.local) return;
        const now = performance.now();
        for (const key of event.keysChanged) {
          const from = Number(key);
          if (from === i) continue;
          const sent = event.target.get(key);
          if (sent === undefined) continue;
          (pad[from]!.node === editor.node ? same : cross).push(now - sent);
        }
      });
    }
  }
  const cpu0 = new Map(measured.map((m) => [m.name, usage(m.pid).cpu]));
  const tree0 = new Map(trees.map((t) => [t.name, treeUsage(t.match)?.cpu ?? 0]));
  const peak = new Map<string, number>();
  // The last reading of each process (a killed node keeps its last one).
  const last = new Map(cpu0);
  const sample = () => {
    for (const m of measured) {
      let now: { cpu: number; rssMb: number };
      try {
        now = usage(m.pid);
      } catch {
        continue; // Killed on purpose: its last reading stands.
      }
      last.set(m.name, now.cpu);
      peak.set(m.name, Math.max(peak.get(m.name) ?? 0, now.rssMb));
    }
    for (const t of trees) {
      peak.set(t.name, Math.max(peak.get(t.name) ?? 0, treeUsage(t.match)?.rssMb ?? 0));
    }
  };
  sample();
  const sampler = setInterval(sample, 1000);
  const bench0 = process.cpuUsage();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let keystrokes = 0;
  const t0 = performance.now();
  const timers = editors.flatMap((pad) =>
    pad.map((editor, i) => {
      const body = editor.doc.getText('default');
      const stamps = editor.doc.getMap<number>('stamps');
      // A person types in bursts: the interval varies by ±40 % around 1/RATE.
      return setInterval(
        () => {
          editor.doc.transact(() => {
            body.insert(Math.floor(Math.random() * (body.length + 1)), 'abcdefghij'[i % 10]!);
            stamps.set(String(i), performance.now());
            if (editor.typed !== undefined) {
              editor.typed += 1;
              editor.doc.getMap<number>('typed').set(String(i), editor.typed);
            }
          });
          keystrokes += 1;
        },
        (1000 / RATE) * (0.6 + Math.random() * 0.8),
      );
    }),
  );
  if (midway) {
    await new Promise((resolve) => setTimeout(resolve, (SECONDS * 1000) / 2));
    await midway();
    await new Promise((resolve) => setTimeout(resolve, (SECONDS * 1000) / 2));
  } else {
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  }
  for (const t of timers) clearInterval(t);
  const seconds = (performance.now() - t0) / 1000;
  const benchUsage = process.cpuUsage(bench0);
  lag.disable();
  sample();
  clearInterval(sampler);
  const processes = [
    ...measured.map((m) => ({
      name: m.name,
      cpu: last.get(m.name)! - cpu0.get(m.name)!,
      rssPeakMb: peak.get(m.name)!,
    })),
    ...trees.map((t) => ({
      name: t.name,
      cpu: (treeUsage(t.match)?.cpu ?? 0) - tree0.get(t.name)!,
      rssPeakMb: peak.get(t.name)!,
    })),
  ];
  const { converged, note } = await checkConvergence();
  return {
    label,
    same: same.sort((a, b) => a - b),
    cross: cross.sort((a, b) => a - b),
    seconds,
    keystrokes,
    processes,
    benchCpu: (benchUsage.user + benchUsage.system) / 1e6,
    benchLagP99: lag.percentile(99) / 1e6,
    converged,
    convergeNote: note,
    recovered: await recovered(),
  };
}

/** Waits until every provider has its changes acknowledged, then compares each client with the database. */
async function convergedWithDatabase(database: Database, pads: string[], editors: Editor[][]) {
  const acked = Promise.all(editors.flat().map((e) => (e.provider ? saved(e.provider) : null)));
  const late = await Promise.race([
    acked.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 60_000).unref()),
  ]);
  let converged = 0;
  for (let attempt = 0; attempt < 60; attempt++) {
    converged = 0;
    for (const [p, docId] of pads.entries()) {
      const parts = await readDocParts(database.db, docId);
      const stored = docFromState(
        mergeParts(
          parts.snapshot?.state ?? null,
          parts.updates.map((u) => u.body),
        ),
      );
      const want = text(stored);
      stored.destroy();
      if (editors[p]!.every((e) => text(e.doc) === want)) converged += 1;
    }
    if (converged === pads.length) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    converged,
    note: late ? 'some changes still unacknowledged after 60 s' : 'every change acknowledged',
  };
}

/** For the reference (nothing stored): every client of a pad holds the same text. */
async function convergedTogether(editors: Editor[][]) {
  let converged = 0;
  for (let attempt = 0; attempt < 60; attempt++) {
    converged = editors.filter((pad) => pad.every((e) => text(e.doc) === text(pad[0]!.doc))).length;
    if (converged === editors.length) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { converged, note: 'clients with each other (the reference stores nothing)' };
}

async function recoveredOf(ports: number[]): Promise<number> {
  let total = 0;
  for (const port of ports) {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    total += ((await res.json()) as { recovered: number }).recovered;
  }
  return total;
}

// --- the run -----------------------------------------------------------------

async function main() {
  const pg = onStop('PostgreSQL', await startPostgres(), (v) => v.stop());
  const pgPort = new URL(pg.url).port;
  const redis = onStop('redis-server', await startRedis(), (v) => v.stop());
  const redisPort = new URL(redis.url).port;
  const database = onStop(
    'the benchmark database connection',
    await openDatabase({ url: pg.url }, silentLogger()),
    (v) => v.close(),
  );
  const postgresTree: Tree = {
    name: 'PostgreSQL',
    match: (c) => c.includes('postgres') && c.includes(`-p ${pgPort}`),
  };
  const redisTree: Tree = {
    name: 'redis-server',
    match: (c) => c.startsWith('redis-server') && c.includes(`:${redisPort}`),
  };
  const key = await generateSigningKey('bench');
  const baseEnv = {
    HOST: '127.0.0.1',
    DOCS_PORT: '0',
    DATABASE_URL: pg.url,
    JWKS: JSON.stringify({ keys: [key.publicJwk] }),
    TOKEN_ISSUER: ISSUER,
  };
  const mint = (sub: string, doc: string) =>
    mintCapability(
      key,
      { issuer: ISSUER, audience: 'preau:docs', ttlSeconds: 3600 },
      { sub, name: sub, profiles: [], space: SPACE, rights: ['read', 'write'], doc },
    );
  const newPads = async (tag: string) => {
    const pads: string[] = [];
    for (let i = 0; i < PADS; i++) {
      const doc = await createDoc(database.db, {
        space: SPACE,
        kind: 'pad',
        title: `${tag} ${i}`,
        actor: 'bench',
      });
      pads.push(doc.id);
    }
    return pads;
  };
  const startNode = async (name: string, env: Record<string, string>) => {
    const node: ServiceProcess = await startService(
      'docs-server/src/main.ts',
      { ...baseEnv, ...env },
      (e) => e.msg === 'docs server listening',
    );
    cleanups.push({ what: name, run: () => node.stop() });
    return { node, port: Number(node.ready.port) };
  };
  const connect = async (pads: string[], ports: number[]) => {
    const editors: Editor[][] = [];
    for (const [p, docId] of pads.entries()) {
      editors.push(
        await Promise.all(
          Array.from({ length: EDITORS }, async (_, i) => {
            const node = (i + p) % ports.length;
            return preauEditor(ports[node]!, node, docId, await mint(`editor${i}`, docId));
          }),
        ),
      );
    }
    return editors;
  };
  const closeAll = (editors: Editor[][]) => {
    for (const e of editors.flat()) e.close();
  };

  console.log(
    `documents across nodes: ${PADS} pads × ${EDITORS} editors, ${RATE} keystroke(s)/s each, ` +
      `${SECONDS} s per configuration; PostgreSQL 15, redis-server ${redisPort}`,
  );
  const results: Figures[] = [];

  // 1. One docs node.
  if (!ONLY_KILL) {
    const pads = await newPads('one node');
    const a = await startNode('docs node', {});
    const editors = await connect(pads, [a.port]);
    results.push(
      await typing(
        'Préau, one docs node',
        editors,
        [{ name: 'docs node', pid: a.node.child.pid! }],
        [postgresTree],
        () => convergedWithDatabase(database, pads, editors),
        async () => null,
      ),
    );
    closeAll(editors);
    await a.node.stop();
  }

  // 2. Two docs nodes on one PostgreSQL and one Redis.
  if (!ONLY_KILL) {
    const pads = await newPads('two nodes');
    const cross = { REDIS_URL: redis.url };
    const a = await startNode('docs node A', cross);
    const b = await startNode('docs node B', cross);
    const editors = await connect(pads, [a.port, b.port]);
    results.push(
      await typing(
        'Préau, two docs nodes + Redis',
        editors,
        [
          { name: 'docs node A', pid: a.node.child.pid! },
          { name: 'docs node B', pid: b.node.child.pid! },
        ],
        [postgresTree, redisTree],
        () => convergedWithDatabase(database, pads, editors),
        () => recoveredOf([a.port, b.port]),
      ),
    );
    closeAll(editors);
    await a.node.stop();
    await b.node.stop();
  }

  // 4. (--kill) Two docs nodes, node A SIGKILLed halfway; its editors come back through B.
  if (KILL) {
    const pads = await newPads('node killed');
    const cross = { REDIS_URL: redis.url };
    const a = await startNode('docs node A (killed)', cross);
    const b = await startNode('docs node B', cross);
    const toA = onStop('balancer', await startTcpBalancer(() => [a.port, b.port]), (v) =>
      v.close(),
    );
    const toB = onStop('balancer', await startTcpBalancer(() => [b.port, a.port]), (v) =>
      v.close(),
    );
    const editors: Editor[][] = [];
    for (const [p, docId] of pads.entries()) {
      editors.push(
        await Promise.all(
          Array.from({ length: EDITORS }, async (_, i) => {
            const node = (i + p) % 2;
            const port = node === 0 ? toA.port : toB.port;
            return reconnectingPreauEditor(port, node, docId, await mint(`editor${i}`, docId));
          }),
        ),
      );
    }
    for (const e of editors.flat()) countAcks(e);
    const ofA = editors.flat().filter((e) => e.node === 0);
    const disconnected = new Set<Editor>();
    const back = new Map<Editor, number>();
    let killedAt = 0;
    // When each editor of node A, after the kill, saw its socket close, open
    // again (first message), its token accepted, and the document synced.
    const phases = {
      closed: new Map<Editor, number>(),
      open: new Map<Editor, number>(),
      authenticated: new Map<Editor, number>(),
      synced: back,
    };
    const mark = (e: Editor, phase: keyof typeof phases) => {
      if (killedAt > 0 && !phases[phase].has(e))
        phases[phase].set(e, (performance.now() - killedAt) / 1000);
    };
    for (const e of ofA) {
      e.provider!.on('status', ({ status }: { status: string }) => {
        if (killedAt > 0 && status === 'disconnected') {
          disconnected.add(e);
          mark(e, 'closed');
        }
        if (status === 'connected' && disconnected.has(e)) mark(e, 'open');
      });
      e.provider!.on('authenticated', () => {
        if (disconnected.has(e)) mark(e, 'authenticated');
      });
      e.provider!.on('synced', () => {
        if (disconnected.has(e)) mark(e, 'synced');
      });
    }
    const figures = await typing(
      'Préau, two docs nodes, A killed halfway',
      editors,
      [
        { name: 'docs node A', pid: a.node.child.pid! },
        { name: 'docs node B', pid: b.node.child.pid! },
      ],
      [postgresTree, redisTree],
      () => convergedWithDatabase(database, pads, editors),
      () => recoveredOf([b.port]),
      async () => {
        killedAt = performance.now();
        await a.node.crash();
        for (const e of ofA) e.node = 1;
        console.log(`docs node A killed (SIGKILL) with ${ofA.length} editors on it`);
      },
    );
    // Every keystroke acknowledged (counted when nothing was left unacknowledged) must be in the database.
    let lost = 0;
    let acked = 0;
    for (const [p, docId] of pads.entries()) {
      const parts = await readDocParts(database.db, docId);
      const stored = docFromState(
        mergeParts(
          parts.snapshot?.state ?? null,
          parts.updates.map((u) => u.body),
        ),
      );
      const typed = stored.getMap<number>('typed');
      for (const [i, e] of editors[p]!.entries()) {
        acked += e.acked ?? 0;
        lost += Math.max(0, (e.acked ?? 0) - (typed.get(String(i)) ?? 0));
      }
      stored.destroy();
    }
    figures.kill = {
      lost,
      acked,
      backSeconds: Math.max(0, ...back.values()),
      editors: ofA.length,
      phases: Object.entries(phases).map(([phase, times]) => {
        const sorted = [...times.values()].sort((x, y) => x - y);
        return {
          phase,
          count: sorted.length,
          p50: percentile(sorted, 50),
          max: sorted.at(-1) ?? NaN,
        };
      }),
    };
    if (back.size < ofA.length) {
      console.log(`${ofA.length - back.size} editors of node A never came back`);
      figures.kill.backSeconds = Number.POSITIVE_INFINITY;
    }
    results.push(figures);
    closeAll(editors);
    await b.node.stop();
    await a.node.stop();
  }

  // 3. The reference Yjs server.
  if (!ONLY_KILL) {
    const reference = await startReferenceServer();
    cleanups.push({ what: 'reference server', run: () => reference.stop() });
    const editors: Editor[][] = Array.from({ length: PADS }, (_, p) =>
      Array.from({ length: EDITORS }, () => ({
        ...referenceEditor(reference.port, `bench-${p}`),
        node: 0,
      })),
    );
    results.push(
      await typing(
        '@y/websocket-server (reference)',
        editors,
        [{ name: 'reference server', pid: reference.child.pid! }],
        [],
        () => convergedTogether(editors),
        async () => null,
      ),
    );
    closeAll(editors);
    await reference.stop();
  }

  report(results);
}

function report(results: Figures[]) {
  const ms = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(1));
  const triple = (s: number[]) =>
    s.length === 0
      ? '—'
      : `${ms(percentile(s, 50))} / ${ms(percentile(s, 95))} / ${ms(percentile(s, 99))}`;
  console.log(
    '\n| configuration | p50 / p95 / p99 ms, same node | p50 / p95 / p99 ms, across nodes | ' +
      'updates/s | deliveries/s | server CPU s (% of a core) | peak memory MB (RSS; PSS for PostgreSQL, Redis) | converged pads | recovered |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |');
  for (const f of results) {
    const cpu = f.processes
      .map((p) => `${p.name} ${p.cpu.toFixed(1)} (${((p.cpu / f.seconds) * 100).toFixed(0)} %)`)
      .join('; ');
    const rss = f.processes.map((p) => `${p.name} ${p.rssPeakMb.toFixed(0)}`).join('; ');
    console.log(
      `| ${f.label} | ${triple(f.same)} | ${triple(f.cross)} | ${(f.keystrokes / f.seconds).toFixed(0)} | ` +
        `${((f.same.length + f.cross.length) / f.seconds).toFixed(0)} | ${cpu} | ${rss} | ` +
        `${f.converged}/${PADS} | ${f.recovered ?? '—'} |`,
    );
  }
  // The reference runs last (absent with --only-kill).
  const ref = ONLY_KILL ? undefined : results.at(-1);
  if (ref) ratios(results.slice(0, -1), ref);
  for (const f of results) {
    if (f.kill) {
      console.log(
        `${f.label}: acknowledged keystrokes lost ${f.kill.lost} of ${f.kill.acked} (must be 0); ` +
          `every one of the ${f.kill.editors} editors of node A synced again through node B ` +
          `${f.kill.backSeconds.toFixed(2)} s after the kill`,
      );
      console.log(
        `  on their way back (s after the kill, p50 / last): ${f.kill.phases
          .map((p) => `${p.phase} ${p.p50.toFixed(2)} / ${p.max.toFixed(2)} (${p.count})`)
          .join('; ')}`,
      );
    }
    console.log(
      `${f.label}: ${f.keystrokes} keystrokes in ${f.seconds.toFixed(1)} s; convergence: ${f.convergeNote}; ` +
        `this benchmark process used ${f.benchCpu.toFixed(1)} CPU s (${((f.benchCpu / f.seconds) * 100).toFixed(0)} % of a core), ` +
        `its event loop p99 ${f.benchLagP99.toFixed(0)} ms late`,
    );
  }
}

function ratios(results: Figures[], ref: Figures) {
  const totalCpu = (f: Figures) => f.processes.reduce((a, p) => a + p.cpu, 0);
  const totalRss = (f: Figures) => f.processes.reduce((a, p) => a + p.rssPeakMb, 0);
  console.log(
    '\nratios against the reference (latency per locality; CPU and memory: every process, database and Redis included):',
  );
  console.log('| configuration | deliveries | p50 | p95 | p99 | server CPU | peak memory |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const f of results) {
    const cpu = (totalCpu(f) / totalCpu(ref)).toFixed(2);
    const mem = (totalRss(f) / totalRss(ref)).toFixed(2);
    for (const [where, s] of [
      ['same node', f.same],
      ['across nodes', f.cross],
    ] as const) {
      if (s.length === 0) continue;
      const r = (p: number) => (percentile(s, p) / percentile(ref.same, p)).toFixed(2);
      console.log(`| ${f.label} | ${where} | ${r(50)} | ${r(95)} | ${r(99)} | ${cpu} | ${mem} |`);
    }
  }
}

const deadline = setTimeout(() => {
  console.error('benchmark took more than 30 minutes: stopping');
  void cleanup().finally(() => process.exit(1));
}, 30 * 60_000);
deadline.unref();
main()
  .then(
    () => 0,
    (err: unknown) => {
      console.error(err);
      return 1;
    },
  )
  .then(async (code) => {
    await cleanup();
    // Exit once stdout has drained (a pipe is written asynchronously).
    process.stdout.write('', () => process.exit(code));
  });
