// Pieces shared by the documents benchmarks: the reference Yjs server's
// process and its minimal y-websocket client, CPU and memory read from /proc,
// percentiles. (docs-bench.ts still holds its own copies; it can import these.)

import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { freePort } from '../../tests/support/ports';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REFERENCE_MAIN = join(ROOT, 'load-tests/reference/server.mjs');
const CLK_TCK = 100;

/** CPU seconds (user + system) and resident memory (MB) of a process, from /proc. */
export function usage(pid: number): { cpu: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpu, rssMb: rss / 1024 };
}

interface Proc {
  pid: number;
  ppid: number;
  cpu: number;
  /** CPU seconds of its children that ended (a PostgreSQL backend that closed). */
  childrenCpu: number;
  rssMb: number;
  cmdline: string;
}

/**
 * The proportional set size of a process (shared pages divided among the
 * processes sharing them), so that PostgreSQL's shared buffers are not
 * counted once per backend; null when /proc does not tell.
 */
function proportionalMb(pid: string): number | null {
  try {
    const kb = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null; // Not readable (another user's process) or gone: RSS is used instead.
  }
}

/** One process's line of /proc, or null once it has ended. */
function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK,
      childrenCpu: (Number(fields[13]) + Number(fields[14])) / CLK_TCK,
      rssMb: (Number(fields[21]) * 4096) / 1024 / 1024,
      cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '),
    };
  } catch {
    return null; // The process ended between the listing and the read: nothing to count.
  }
}

/** The direct children of a process (every thread's), from /proc; empty once it has ended. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** The root found for each `isRoot` (the whole of /proc is read once, not at every sample). */
const roots = new Map<(cmdline: string) => boolean, number>();

function findRoot(isRoot: (cmdline: string) => boolean): Proc | null {
  const known = roots.get(isRoot);
  if (known !== undefined) {
    const proc = readProc(known);
    if (proc && isRoot(proc.cmdline)) return proc;
    roots.delete(isRoot);
  }
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const proc = readProc(Number(d));
    if (proc && isRoot(proc.cmdline)) {
      roots.set(isRoot, proc.pid);
      return proc;
    }
  }
  return null;
}

/**
 * CPU seconds and summed proportional memory (PSS, else RSS) of the process
 * whose command line passes `isRoot` and of its direct children
 * (PostgreSQL's postmaster and its backends, those that ended included), or
 * null when no such process runs. Only those processes are read at each
 * call: reading every process's memory of a busy machine took one to two
 * seconds, during which this benchmark's event loop (its clients, their
 * timings, the balancer stand-in) stood still.
 */
export function treeUsage(
  isRoot: (cmdline: string) => boolean,
): { cpu: number; rssMb: number } | null {
  const root = findRoot(isRoot);
  if (!root) return null;
  const tree = [root, ...childrenOf(root.pid).flatMap((pid) => readProc(pid) ?? [])];
  return {
    cpu: tree.reduce((a, p) => a + p.cpu, root.childrenCpu),
    rssMb: tree.reduce((a, p) => a + (proportionalMb(String(p.pid)) ?? p.rssMb), 0),
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A process this benchmark started, in a process group of its own. */
export interface BenchProcess {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** Starts the reference Yjs server (`@y/websocket-server`, in memory) on a free loopback port. */
export async function startReferenceServer(): Promise<BenchProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [REFERENCE_MAIN], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const pid = child.pid!;
  const kill = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', kill);
  const gone = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`reference server exited (${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('running at')) resolve();
    });
  });
  return {
    child,
    port,
    stop: async () => {
      kill();
      await gone;
      process.off('exit', kill);
    },
  };
}

/** A Yjs document connected to a server, as an editor holds it. */
export interface BenchEditor {
  doc: Y.Doc;
  synced: Promise<void>;
  close(): void;
}

/** A minimal y-websocket client: the sync protocol of y-protocols over `ws` (no awareness). */
export function referenceEditor(port: number, docId: string): BenchEditor {
  const doc = new Y.Doc();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/${docId}`);
  ws.binaryType = 'arraybuffer';
  const origin = Symbol('remote');
  let resolveSynced = () => {};
  const synced = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });
  const send = (write: (e: encoding.Encoder) => void) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    write(e);
    if (ws.readyState === ws.OPEN) ws.send(encoding.toUint8Array(e));
  };
  ws.on('open', () => send((e) => syncProtocol.writeSyncStep1(e, doc)));
  ws.on('message', (data: ArrayBuffer) => {
    const d = decoding.createDecoder(new Uint8Array(data));
    if (decoding.readVarUint(d) !== 0) return; // awareness: not used here
    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, 0);
    const type = syncProtocol.readSyncMessage(d, reply, doc, origin);
    if (type === syncProtocol.messageYjsSyncStep2) resolveSynced();
    if (encoding.length(reply) > 1) ws.send(encoding.toUint8Array(reply));
  });
  doc.on('update', (update: Uint8Array, o: unknown) => {
    if (o !== origin) send((e) => syncProtocol.writeUpdate(e, update));
  });
  return { doc, synced, close: () => ws.close() };
}
