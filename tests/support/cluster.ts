import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type LocalS3, startLocalS3 } from '@preau/storage';
import { type Backend, renderHaproxyConfig } from '../../deploy/haproxy';
import { nodeEnvFor, nodeFlagsFor } from '../../deploy/nodeFlags';
import { freePort } from './ports';
import { startPostgres, type TestPostgres } from './postgres';
import { startRedis, type TestRedis } from './redis';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The SFU's RPC path (sfu/src/rpc/server.ts; not imported, that would load mediasoup here). */
const SFU_RPC_PATH = '/sfu-rpc';

/** One node of the local cluster: a process of its own, on a loopback port. */
export interface ClusterNode {
  kind: 'web' | 'classroom' | 'docs' | 'sfu';
  name: string;
  /** The node's own address (http://, or ws:// for an SFU), bypassing the balancer. */
  url: string;
  /** Sends `signal` (SIGKILL by default: a crash) and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the node again on the same port (after a kill), and puts it back in the balancer. */
  start(): Promise<void>;
  /**
   * Drains: the balancer sends it no new work (runtime API) and the node is
   * told (SIGTERM): its health check says draining, it finishes its live
   * work and exits by itself.
   */
  drain(): Promise<void>;
  /** Whether its process is running. */
  readonly running: boolean;
  /** Its process id while it runs (the node process itself, not a shell). */
  readonly pid: number | undefined;
}

/** A local cluster: every node, the engines they share, and the balancer in front. */
/** The issuer of the cluster's capability tokens. */
const CLUSTER_TOKEN_ISSUER = 'preau-cluster';

export interface Cluster {
  /** The balancer: what a browser opens. */
  url: string;
  nodes: ClusterNode[];
  databaseUrl: string;
  redisUrl: string;
  s3Endpoint: string;
  /** The issuer every node's capability tokens name (`TOKEN_ISSUER`). */
  tokenIssuer: string;
  /** Where the configuration and every process's log are. */
  dir: string;
  /** Sends one command to HAProxy's runtime API and returns its answer. */
  balancer(command: string): Promise<string>;
  /** Stops everything (nodes, balancer, engines) and removes the folder; idempotent. */
  stop(): Promise<void>;
}

/** How many nodes of each kind, and what they start with. */
export interface ClusterOptions {
  web?: number;
  classroom?: number;
  docs?: number;
  sfu?: number;
  /** Demo schools, classes and accounts in the fresh database (true by default). */
  demoData?: boolean;
  /** Added to every node's environment. */
  env?: Record<string, string>;
  /** Keeps the folder (configuration and logs) after stop. */
  keepDir?: boolean;
  /** Told each step while the cluster starts. */
  onStep?: (step: string) => void;
}

/** Cleanups that must run when this process exits, whatever the reason. */
const onExit = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of onExit) cleanup();
});

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** Resolves after `ms`, or rejects with `message` if `promise` is slower. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Spawns a process in a group of its own (so that its children, such as
 * mediasoup workers, go with it), its output appended to `log`, and resolves
 * once a line of its output passes `isReady`.
 */
async function spawnReady(opts: {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Settings that the test runner's own environment overrides (`nodeEnvFor`). */
  defaults?: Readonly<Record<string, string>>;
  log: string;
  /** A line of output that says the process is ready… */
  isReady?: (line: string) => boolean;
  /** …or a check polled until it says so. */
  probe?: () => Promise<boolean>;
  timeoutMs?: number;
}): Promise<ChildProcess> {
  const child = spawn(opts.command, opts.args, {
    cwd: ROOT,
    env: { ...opts.defaults, ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid!;
  const cleanup = () => killGroup(pid, 'SIGKILL');
  onExit.add(cleanup);
  child.once('exit', () => {
    killGroup(pid, 'SIGKILL');
    onExit.delete(cleanup);
  });
  const log = createWriteStream(opts.log, { flags: 'a' });
  let tail = '';
  child.stderr!.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-3000);
  });
  child.stderr!.pipe(log);
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      // The node's own log goes to stdout: its last lines say why it stopped.
      tail = `${tail}${line}\n`.slice(-3000);
      if (opts.isReady?.(line)) resolve();
    });
    const probe = opts.probe;
    if (probe) {
      const poll = () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        probe().then(
          (ok) => (ok ? resolve() : setTimeout(poll, 100)),
          // Not listening yet: refused connections are expected while it starts.
          () => setTimeout(poll, 100),
        );
      };
      poll();
    }
    child.once('exit', (code, signal) =>
      reject(
        new Error(`${opts.args.at(-1)} exited (${code ?? signal}) before ready: ${tail.trim()}`),
      ),
    );
  });
  try {
    await within(
      ready,
      opts.timeoutMs ?? 180_000,
      `${opts.args.at(-1)} not ready in time: ${tail.trim()}`,
    );
  } catch (err) {
    cleanup();
    await exited(child);
    throw err;
  }
  return child;
}

/** A JSON log line whose `msg` is `message`. */
function logSays(message: string) {
  return (line: string) => {
    try {
      return (JSON.parse(line) as { msg?: string }).msg === message;
    } catch {
      return false; // A greeting, not a log line.
    }
  };
}

/** Sends one command to HAProxy's runtime API over its Unix socket. */
function runtimeApi(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let answer = '';
    conn.on('data', (d: Buffer) => {
      answer += d.toString();
    });
    conn.on('end', () => resolve(answer.trim()));
    conn.on('error', reject);
    conn.end(`${command}\n`);
  });
}

/** What a node runs and where, kept so that it can start again on the same port. */
interface NodeSpec {
  kind: ClusterNode['kind'];
  name: string;
  port: number;
  main: string;
  readyMessage: string;
  env: Record<string, string>;
  /** The balancer's backends this node is a server of. */
  backends: Backend[];
}

const MAINS: Record<ClusterNode['kind'], { main: string; ready: string }> = {
  web: { main: 'web/server/main.ts', ready: 'Préau started' },
  classroom: { main: 'classroom-server/src/main.ts', ready: 'classroom server started' },
  docs: { main: 'docs-server/src/main.ts', ready: 'docs server listening' },
  sfu: { main: 'sfu/src/main.ts', ready: 'sfu rpc listening' },
};

/**
 * Starts a local cluster on loopback free ports: PostgreSQL (a throwaway data
 * folder), redis-server, the S3 endpoint (s3rver, in this process), web nodes
 * without in-process realtime, classroom, docs and SFU nodes, and HAProxy in
 * front. Every process is stopped by `stop()`, on failure to start, and when
 * this process exits.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const counts = {
    web: opts.web ?? 2,
    classroom: opts.classroom ?? 2,
    docs: opts.docs ?? 2,
    sfu: opts.sfu ?? 2,
  };
  if (counts.web < 1) throw new Error('a cluster needs at least one web node');
  const step = opts.onStep ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'preau-cluster-'));
  mkdirSync(join(dir, 'logs'));
  const cleanups: Array<() => Promise<void>> = [];
  const nodes: Array<ClusterNode & { spec: NodeSpec }> = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Realtime nodes first (their clients have nowhere to go), then web, then SFUs.
      const order: ClusterNode['kind'][] = ['classroom', 'docs', 'web', 'sfu'];
      for (const kind of order) {
        await Promise.all(nodes.filter((n) => n.kind === kind).map((n) => n.kill('SIGINT')));
      }
      for (const cleanup of cleanups.reverse()) await cleanup();
      if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    step('PostgreSQL, Redis, S3');
    const [pg, redis, s3] = await Promise.all([
      startPostgres(),
      startRedis(),
      startLocalS3(join(dir, 's3')),
    ]);
    registerEngine(cleanups, pg);
    registerEngine(cleanups, redis);
    cleanups.push(() => (s3 as LocalS3).close());

    const balancerPort = await freePort();
    const url = `http://127.0.0.1:${balancerPort}`;
    const secret = `cluster-sfu-${Math.random().toString(36).slice(2)}-secret`;
    const specs: NodeSpec[] = [];
    for (const kind of ['web', 'classroom', 'docs', 'sfu'] as const) {
      for (let i = 1; i <= counts[kind]; i++) {
        specs.push({
          kind,
          name: `${kind}${i}`,
          port: await freePort(),
          main: MAINS[kind].main,
          readyMessage: MAINS[kind].ready,
          env: {},
          backends: kind === 'web' ? ['web', 'web_signin'] : kind === 'sfu' ? [] : [kind],
        });
      }
    }
    const of = (kind: ClusterNode['kind']) => specs.filter((s) => s.kind === kind);
    const sfuUrls = of('sfu').map((s) => `ws://127.0.0.1:${s.port}${SFU_RPC_PATH}`);
    const shared = {
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      TOKEN_ISSUER: CLUSTER_TOKEN_ISSUER,
      // Realtime nodes fetch web's keys through the balancer: any web node answers.
      JWKS_URL: `${url}/.well-known/jwks.json`,
      ...(sfuUrls.length > 0
        ? { SFU_URL: sfuUrls[0]!, SFU_URLS: sfuUrls.join(','), SFU_RPC_SECRET: secret }
        : {}),
    };
    for (const spec of specs) {
      const own: Record<string, string> = {
        web: {
          PORT: String(spec.port),
          PUBLIC_URL: url,
          DATA_DIR: join(dir, spec.name),
          REALTIME: 'external',
          S3_ENDPOINT: s3.endpoint,
          S3_ACCESS_KEY: s3.accessKey,
          S3_SECRET_KEY: s3.secretKey,
          // Only the first web node fills the fresh directory (two would race).
          DEMO_DATA: String(spec.name === 'web1' && (opts.demoData ?? true)),
        },
        classroom: { PORT: String(spec.port), DATA_DIR: join(dir, spec.name) },
        docs: { DOCS_PORT: String(spec.port), DATA_DIR: join(dir, spec.name) },
        sfu: {
          SFU_RPC_PORT: String(spec.port),
          SFU_RPC_HOST: '127.0.0.1',
          SFU_RPC_SECRET: secret,
          // Two cores shared by the whole cluster: one mediasoup worker per SFU node.
          SFU_WORKERS: '1',
        },
      }[spec.kind];
      spec.env = { ...shared, ...own, ...opts.env };
    }

    step('HAProxy');
    const socket = join(dir, 'haproxy.sock');
    const cfg = join(dir, 'haproxy.cfg');
    const balanced = (kind: Backend) =>
      of(kind as ClusterNode['kind']).map((s) => ({
        name: s.name,
        address: `127.0.0.1:${s.port}`,
      }));
    writeFileSync(
      cfg,
      renderHaproxyConfig({
        listen: `127.0.0.1:${balancerPort}`,
        web: balanced('web'),
        classroom: balanced('classroom'),
        docs: balanced('docs'),
        statsSocket: socket,
        // One machine for everything: one thread (see BalancerOptions.threads).
        threads: 1,
      }),
    );
    // -db: in the foreground, logging to standard output (one line per request).
    const haproxy = await spawnReady({
      command: 'haproxy',
      args: ['-db', '-f', cfg],
      env: {},
      log: join(dir, 'logs', 'haproxy.log'),
      // HAProxy says nothing when it starts well: its runtime API answering does.
      probe: () => runtimeApi(socket, 'show info').then((a) => a.includes('Name: HAProxy')),
      timeoutMs: 20_000,
    });
    cleanups.push(async () => {
      haproxy.kill('SIGTERM');
      await exited(haproxy);
    });
    const balancer = (command: string) => runtimeApi(socket, command);

    for (const spec of specs) nodes.push(makeNode(spec, dir, balancer));
    const startAll = (kind: ClusterNode['kind'], skip = 0) =>
      Promise.all(
        nodes
          .filter((n) => n.kind === kind)
          .slice(skip)
          .map((n) => n.start()),
      );
    // The first web node applies the migrations and fills the directory; then the rest.
    step('web1 (migrations, demo data)');
    await nodes.find((n) => n.name === 'web1')!.start();
    step('the other nodes');
    await Promise.all([startAll('web', 1), startAll('sfu'), startAll('docs')]);
    await startAll('classroom');
    step('the balancer sees every node');
    await waitUntilUp(balancer, specs);
    return {
      url,
      nodes,
      databaseUrl: pg.url,
      redisUrl: redis.url,
      s3Endpoint: s3.endpoint,
      tokenIssuer: CLUSTER_TOKEN_ISSUER,
      dir,
      balancer,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Stops an engine with the cluster, and also if this process exits first. */
function registerEngine(cleanups: Array<() => Promise<void>>, engine: TestPostgres | TestRedis) {
  let stopped: Promise<void> | undefined;
  // Both engines' stop begins synchronously (pg_ctl, a signal): it runs in an exit hook too.
  const stopOnce = () => {
    stopped ??= engine.stop();
    return stopped;
  };
  const hook = () => {
    void stopOnce();
  };
  onExit.add(hook);
  cleanups.push(async () => {
    await stopOnce();
    onExit.delete(hook);
  });
}

/** Waits until the balancer reports every balanced node UP. */
async function waitUntilUp(balancer: (c: string) => Promise<string>, specs: NodeSpec[]) {
  const wanted = specs.filter((s) => s.backends.length > 0);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const csv = await balancer('show stat');
    const up = new Set(
      csv
        .split('\n')
        .map((l) => l.split(','))
        .filter((f) => f[17] === 'UP')
        .map((f) => `${f[0]}/${f[1]}`),
    );
    if (wanted.every((s) => s.backends.every((b) => up.has(`${b}/${s.name}`)))) return;
    if (Date.now() > deadline) throw new Error(`the balancer does not see every node UP:\n${csv}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function makeNode(
  spec: NodeSpec,
  dir: string,
  balancer: (c: string) => Promise<string>,
): ClusterNode & { spec: NodeSpec } {
  let child: ChildProcess | undefined;
  const setState = async (state: 'ready' | 'drain') => {
    for (const backend of spec.backends) {
      // web_signin follows web's state (`track`); the API refuses to set it directly.
      if (backend === 'web_signin') continue;
      const answer = await balancer(`set server ${backend}/${spec.name} state ${state}`);
      if (answer !== '') throw new Error(`balancer: ${answer}`);
    }
  };
  return {
    spec,
    kind: spec.kind,
    name: spec.name,
    url:
      spec.kind === 'sfu'
        ? `ws://127.0.0.1:${spec.port}${SFU_RPC_PATH}`
        : `http://127.0.0.1:${spec.port}`,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    get pid() {
      return this.running ? child?.pid : undefined;
    },
    async start() {
      if (this.running) return;
      child = await spawnReady({
        command: process.execPath,
        args: [...nodeFlagsFor(spec.main), '--import', 'tsx', join(ROOT, spec.main)],
        env: spec.env,
        defaults: nodeEnvFor(spec.main),
        log: join(dir, 'logs', `${spec.name}.log`),
        isReady: logSays(spec.readyMessage),
      });
      await setState('ready');
    },
    async kill(signal = 'SIGKILL') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      if (signal === 'SIGKILL') killGroup(c.pid!, 'SIGKILL');
      else c.kill(signal);
      // A clean stop that hangs is ended: the cluster must always stop.
      await within(exited(c), signal === 'SIGTERM' ? 120_000 : 15_000, 'stop timed out').catch(
        async () => {
          killGroup(c.pid!, 'SIGKILL');
          await exited(c);
        },
      );
    },
    async drain() {
      await setState('drain');
      child?.kill('SIGTERM');
    },
  };
}
