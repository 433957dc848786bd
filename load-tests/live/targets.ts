// What the live-session load tests run against: one classroom node in its own
// process (classroom-server/src/main.ts) on a throwaway PostgreSQL, or the local
// cluster (two classroom nodes on Redis behind the balancer). Tokens are minted
// by web's own token service (keys in the database) and checked by the nodes
// against the JWKS they fetch over HTTP, as in a deployment.

import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type CapabilityClaims, classSpaceId } from '@preau/protocol';
import { silentLogger } from '@preau/protocol/server';
import { type Database, openDatabase, startLiveSession } from '@preau/storage';
import { freePort } from '../../tests/support/ports';
import { openPostgresDatabase } from '../../tests/support/postgres';
import { createTokenService, type RotatingTokenService } from '../../web/server/tokens';
import { INSPECT_FLAG, inspectorOf } from '../support/heap';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLASSROOM_MAIN = join(ROOT, 'classroom-server/src/main.ts');
const CLK_TCK = 100;

/** A classroom node the script can measure or kill. */
export interface LiveNode {
  name: string;
  url: string;
  /** Its process id, when this script started it (for CPU and memory). */
  pid?: number;
  /** Its V8 inspector on loopback, when this script started it (its live heap is read there). */
  inspector?: string;
  /** Whether it exited without being asked to. */
  crashed(): boolean;
  kill(): Promise<void>;
}

/** Where the participants connect, and how to mint their tokens. */
export interface LiveTarget {
  /** What clients open (a node, or the balancer). */
  url: string;
  nodes: LiveNode[];
  database: Database;
  /** The PostgreSQL the nodes use (its processes are counted with the run's CPU). */
  databaseUrl: string;
  /** The Redis the nodes share, on the cluster (its calls are counted per message). */
  redisUrl?: string;
  /** A real capability token for the classroom, from web's token service. */
  mint(claims: CapabilityClaims): Promise<string>;
  /** Where the nodes fetch the JWKS (one node: served by this script, as web serves it). */
  jwksUrl?: string;
  /** How many times the nodes fetched the JWKS (it must be cached: a handful, not one per handshake). */
  jwksFetches(): number;
  /** Live sessions in fresh classes, one per class. */
  startSessions(count: number): Promise<Array<{ sessionId: string; classId: string }>>;
  stop(): Promise<void>;
}

/** The claims of a person of a class. */
export function person(sub: string, classId: string, teacher = false): CapabilityClaims {
  return {
    sub,
    name: `${teacher ? 'Mme' : 'Élève'} ${sub}`,
    profiles: [{ uai: '0350001A', kind: teacher ? 'teacher' : 'student' }],
    space: classSpaceId(classId),
    rights: teacher ? ['read', 'write', 'moderate', 'present'] : ['read', 'write', 'present'],
  };
}

/** CPU time (ms, user + system) and resident memory (MB) of a process, from /proc. */
export function processUsage(pid: number): { cpuMs: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuMs, rssMb: rssKb / 1024 };
}

/** The percentile `p` (0–100) of some values, or NaN. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Reads `--name value` and `--flag` options. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const next = process.argv[i + 1];
  return next === undefined || next.startsWith('--') ? 'true' : next;
}

/** Kills the whole run if it has not stopped by itself after `ms` (a benchmark never hangs). */
export function budget(ms: number, cleanup: () => Promise<void>): () => void {
  const timer = setTimeout(() => {
    console.error(`\nstopped after its ${Math.round(ms / 1000)} s budget`);
    cleanup().finally(() => process.exit(2));
  }, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

async function tokenServiceOn(database: Database, issuer = 'preau'): Promise<RotatingTokenService> {
  return createTokenService(issuer, { database, log: silentLogger() });
}

function sessionsOn(database: Database) {
  return async (count: number) => {
    const run = Date.now().toString(36);
    const out: Array<{ sessionId: string; classId: string }> = [];
    for (let i = 0; i < count; i++) {
      const classId = `bench${run}c${i}`;
      const { session } = await startLiveSession(database.db, {
        id: `ls_${run}_${i}`,
        space: classSpaceId(classId),
        classId,
        title: `Cours ${i}`,
        createdBy: `t${i}`,
      });
      out.push({ sessionId: session.id, classId });
    }
    return out;
  };
}

/** One classroom node, its own process, on a throwaway PostgreSQL; `env` adds settings (LIVE_MAX_*). */
export async function startSingleNode(env: Record<string, string> = {}): Promise<LiveTarget> {
  const database = await openPostgresDatabase();
  const tokens = await tokenServiceOn(database);
  let fetches = 0;
  const jwks: Server = createServer((req, res) => {
    fetches++;
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tokens.jwks()));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksPort = (jwks.address() as { port: number }).port;
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [INSPECT_FLAG, '--import', 'tsx', CLASSROOM_MAIN],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        JWKS_URL: `http://127.0.0.1:${jwksPort}/.well-known/jwks.json`,
        TOKEN_ISSUER: 'preau',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const inspector = inspectorOf(child.stderr!);
  let stopping = false;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForPort(port, () => exited);
  // Drain its output (warnings) so that it never blocks on a full pipe.
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.includes('"level":50') || line.includes('"level":60')) console.error(line);
  });
  const stopChild = async () => {
    if (exited) return;
    stopping = true;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  const node: LiveNode = {
    name: 'classroom-1',
    url,
    ...(child.pid ? { pid: child.pid } : {}),
    inspector: await inspector,
    crashed: () => exited && !stopping,
    kill: stopChild,
  };
  return {
    url,
    nodes: [node],
    database,
    databaseUrl: database.url,
    mint: (claims) => tokens.mint('preau:classroom', claims),
    jwksUrl: `http://127.0.0.1:${jwksPort}/.well-known/jwks.json`,
    jwksFetches: () => fetches,
    startSessions: sessionsOn(database),
    stop: async () => {
      await stopChild();
      tokens.close();
      await new Promise<void>((resolve) => jwks.close(() => resolve()));
      await database.close();
    },
  };
}

/** The local cluster's interface (tests/support/cluster.ts), as far as these scripts use it. */
interface ClusterLike {
  url: string;
  databaseUrl: string;
  redisUrl: string;
  dir: string;
  tokenIssuer: string;
  nodes: Array<{
    kind: string;
    name: string;
    url: string;
    kill(): Promise<void>;
    readonly running?: boolean;
  }>;
  stop(): Promise<void>;
}

/**
 * The local cluster with two classroom nodes (`startCluster` of
 * tests/support/cluster.ts, loaded at run time: it is built on its own branch).
 */
export async function startClusterTarget(env: Record<string, string> = {}): Promise<LiveTarget> {
  const modulePath = '../../tests/support/cluster';
  const { startCluster } = (await import(modulePath)) as {
    startCluster(opts: {
      classroom: number;
      env?: Record<string, string>;
      keepDir?: boolean;
    }): Promise<ClusterLike>;
  };
  // KEEP_CLUSTER=1 keeps the cluster's folder (every node's log, HAProxy's) after the run.
  const keepDir = process.env.KEEP_CLUSTER === '1';
  const cluster = await startCluster({ classroom: 2, env, keepDir });
  if (keepDir) console.log(`the cluster's logs: ${cluster.dir}`);
  const database = await openDatabase({ url: cluster.databaseUrl }, silentLogger());
  // Web's own service on the cluster's database: the same keys the web nodes publish.
  const tokens = await tokenServiceOn(database, cluster.tokenIssuer);
  const stopped = new Set<string>();
  const nodes: LiveNode[] = cluster.nodes
    .filter((n) => n.kind === 'classroom')
    .map((n) => ({
      name: n.name,
      url: n.url,
      crashed: () => n.running === false && !stopped.has(n.name),
      kill: async () => {
        stopped.add(n.name);
        await n.kill();
      },
    }));
  return {
    url: cluster.url,
    nodes,
    database,
    databaseUrl: cluster.databaseUrl,
    redisUrl: cluster.redisUrl,
    mint: (claims) => tokens.mint('preau:classroom', claims),
    jwksFetches: () => Number.NaN,
    startSessions: sessionsOn(database),
    stop: async () => {
      tokens.close();
      await database.close();
      await cluster.stop();
    },
  };
}

async function waitForPort(port: number, exited: () => boolean) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('the classroom node exited while starting');
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the classroom node did not start within 2 minutes');
}

/** CPU time (ms) of the processes a run is made of, by what they are (see `processGroups`). */
export type CpuByGroup = Map<string, number>;

function readProc(pid: string): { ppid: number; cpuMs: number; cmd: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return {
      ppid: Number(fields[1]),
      cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK,
      cmd,
    };
  } catch {
    return null; // gone between the listing and the read
  }
}

function groupOf(cmd: string, pid: number): string {
  if (pid === process.pid) return 'this script (clients)';
  if (cmd.includes('classroom-server/src/main.ts')) return `classroom node ${pid}`;
  if (cmd.includes('web/server/main.ts')) return 'web nodes';
  if (cmd.includes('docs-server/src/main.ts')) return 'docs nodes';
  if (cmd.includes('mediasoup-worker') || cmd.includes('sfu/src/main.ts')) return 'SFU nodes';
  if (cmd.includes('bare-live.mjs')) return 'bare socket.io server';
  if (cmd.includes('redis-server')) return 'Redis';
  if (cmd.includes('haproxy')) return 'HAProxy';
  if (cmd.startsWith('postgres') || cmd.includes('/postgres ')) return 'PostgreSQL';
  return 'other';
}

/**
 * CPU used so far by this script, every process it started (nodes, Redis,
 * HAProxy) and the PostgreSQL listening on `pgPort` (pg_ctl detaches it), by
 * group. Two readings subtracted give what a phase cost each of them.
 */
export function cpuByGroup(pgPort?: number): CpuByGroup {
  const procs = new Map<number, { ppid: number; cpuMs: number; cmd: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(name);
    if (p) procs.set(Number(name), p);
  }
  const roots = [process.pid];
  for (const [pid, p] of procs) {
    if (pgPort && p.cmd.includes(`-p ${pgPort} `)) roots.push(pid);
  }
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const out: CpuByGroup = new Map();
  const seen = new Set<number>();
  const visit = (pid: number, inherited?: string) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    const p = procs.get(pid);
    if (!p) return;
    // A node's own children (mediasoup workers, PostgreSQL's backends) count with it.
    const group = inherited ?? groupOf(p.cmd, pid);
    out.set(group, (out.get(group) ?? 0) + p.cpuMs);
    const keep = group === 'this script (clients)' || group === 'other' ? undefined : group;
    for (const child of children.get(pid) ?? []) visit(child, keep);
  };
  for (const root of roots) visit(root);
  out.delete('other');
  return out;
}

/** What each group used between two readings, in % of one core over `seconds`. */
export function cpuShare(before: CpuByGroup, after: CpuByGroup, seconds: number) {
  const out: Array<{ group: string; percent: number }> = [];
  for (const [group, ms] of after) {
    out.push({ group, percent: (ms - (before.get(group) ?? 0)) / 10 / seconds });
  }
  return out.sort((a, b) => b.percent - a.percent);
}

/** The port of a postgres:// URL. */
export function portOf(url: string): number | undefined {
  const port = new URL(url).port;
  return port ? Number(port) : undefined;
}

/** Calls by command (`get`, `publish`, `xadd`…) that a Redis has served since it started. */
export async function redisCalls(url: string): Promise<Map<string, number>> {
  const { hostname, port } = new URL(url);
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port || 6379), hostname);
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      // A bulk reply: `$<length>\r\n<body>\r\n`.
      const header = /^\$(\d+)\r\n/.exec(data);
      if (header && Buffer.byteLength(data) >= header[0].length + Number(header[1]) + 2) {
        socket.end();
        resolve(data.slice(header[0].length));
      }
    });
    socket.on('error', reject);
    socket.write('INFO commandstats\r\n');
  });
  const calls = new Map<string, number>();
  for (const m of text.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

/** The difference of two `redisCalls` readings, busiest first, as `command n`. */
export function redisCallsBetween(before: Map<string, number>, after: Map<string, number>) {
  return [...after]
    .map(([command, n]) => ({ command, calls: n - (before.get(command) ?? 0) }))
    .filter((c) => c.calls > 0)
    .sort((a, b) => b.calls - a.calls);
}
