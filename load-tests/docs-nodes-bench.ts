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
// Options: `--small` (4 pads × 6 editors, 15 s), or the environment: PADS (30),
// EDITORS (30), SECONDS (60), RATE (keystrokes/s per editor, 1).

import { HocuspocusProvider } from '@hocuspocus/provider';
import { DOCS_WS_PATH } from '@preau/protocol';
import { docFromState, mergeParts } from '@preau/protocol/docs-model';
import { generateSigningKey, mintCapability, silentLogger } from '@preau/protocol/server';
import { createDoc, type Database, openDatabase, readDocParts } from '@preau/storage';
import * as Y from 'yjs';
import { saved } from '../docs-server/src/testing/harness';
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
  converged: number;
  convergeNote: string;
  recovered: number | null;
}

async function typing(
  label: string,
  editors: Editor[][],
  measured: Measured[],
  trees: Tree[],
  checkConvergence: () => Promise<{ converged: number; note: string }>,
  recovered: () => Promise<number | null>,
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
  const sample = () => {
    for (const m of measured) {
      peak.set(m.name, Math.max(peak.get(m.name) ?? 0, usage(m.pid).rssMb));
    }
    for (const t of trees) {
      peak.set(t.name, Math.max(peak.get(t.name) ?? 0, treeUsage(t.match)?.rssMb ?? 0));
    }
  };
  sample();
  const sampler = setInterval(sample, 1000);
  const bench0 = process.cpuUsage();
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
          });
          keystrokes += 1;
        },
        (1000 / RATE) * (0.6 + Math.random() * 0.8),
      );
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  for (const t of timers) clearInterval(t);
  const seconds = (performance.now() - t0) / 1000;
  const benchUsage = process.cpuUsage(bench0);
  sample();
  clearInterval(sampler);
  const processes = [
    ...measured.map((m) => ({
      name: m.name,
      cpu: usage(m.pid).cpu - cpu0.get(m.name)!,
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
  {
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
  {
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

  // 3. The reference Yjs server.
  {
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
  const totalCpu = (f: Figures) => f.processes.reduce((a, p) => a + p.cpu, 0);
  const totalRss = (f: Figures) => f.processes.reduce((a, p) => a + p.rssPeakMb, 0);
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
  const ref = results.at(-1)!;
  console.log(
    '\nratios against the reference (latency per locality; CPU and memory: every process, database and Redis included):',
  );
  console.log('| configuration | deliveries | p50 | p95 | p99 | server CPU | peak memory |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const f of results.slice(0, -1)) {
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
  for (const f of results) {
    console.log(
      `${f.label}: ${f.keystrokes} keystrokes in ${f.seconds.toFixed(1)} s; convergence: ${f.convergeNote}; ` +
        `this benchmark process used ${f.benchCpu.toFixed(1)} CPU s (${((f.benchCpu / f.seconds) * 100).toFixed(0)} % of a core)`,
    );
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
