// Where a process spends its CPU, thread by thread (Linux /proc): a benchmark's own, or a server it started.

import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100;

/**
 * CPU seconds (user + system) of each thread of this process, summed by the
 * thread's name (`MainThread`, `WorkerThread` for worker threads such as
 * PGlite's, `V8Worker` for the collector's and compiler's helpers,
 * `libuv-worker` for the file system's…), from /proc: which thread a
 * process's CPU went to. `pid`: this process unless given.
 */
export function threadCpu(pid: number | 'self' = 'self'): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    byName.set(name, (byName.get(name) ?? 0) + cpu);
  }
  return byName;
}

/** What each thread name used between two `threadCpu()` readings, largest first. */
export function threadCpuSince(before: Map<string, number>, pid: number | 'self' = 'self'): string {
  const after = threadCpu(pid);
  return [...after]
    .map(([name, cpu]) => [name, cpu - (before.get(name) ?? 0)] as const)
    .filter(([, cpu]) => cpu >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([name, cpu]) => `${name} ${cpu.toFixed(2)}`)
    .join(', ');
}
