import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { nodeEnvFor, nodeFlagsFor } from '../../deploy/nodeFlags';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One of Préau's processes started by a test, as a supervisor would run it. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** The first JSON log line that said the process is ready. */
  readonly ready: Record<string, unknown>;
  /** When that line arrived (ms since the epoch). */
  readonly readyAt: number;
  /** Kills the process itself with SIGKILL (a crash) and waits for it to be gone. */
  crash(): Promise<void>;
  /** Ends the whole process group (workers included) and waits; idempotent. */
  stop(): Promise<void>;
}

/** Every process group a test started: killed when the test process exits, whatever happens. */
const groups = new Set<number>();
process.once('exit', () => {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
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

/**
 * Starts `main` (a TypeScript entry point, relative to the repository) with
 * tsx in a process group of its own, and resolves once a JSON log line on its
 * standard output passes `isReady`. Its standard error and its last log
 * lines are kept for the failure message (a server that exits on an error
 * logs it as JSON on its standard output).
 */
export async function startService(
  main: string,
  env: Record<string, string>,
  isReady: (entry: Record<string, unknown>) => boolean,
  timeoutMs = 120_000,
): Promise<ServiceProcess> {
  const flags = nodeFlagsFor(main);
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', `${ROOT}${main}`], {
    cwd: ROOT,
    env: { ...nodeEnvFor(main), ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid!;
  groups.add(pid);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let logTail = '';
  const told = () =>
    [stderr.trim(), logTail.trim() && `last log lines:\n${logTail.trim()}`]
      .filter(Boolean)
      .join('\n');
  const gone = exited(child);
  const stop = async () => {
    killGroup(pid, 'SIGKILL');
    await gone;
    groups.delete(pid);
  };
  try {
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${main} not ready within ${timeoutMs} ms: ${told()}`)),
        timeoutMs,
      );
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        logTail = `${logTail}${line}\n`.slice(-3000);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return; // A greeting, not a log line.
        }
        if (isReady(entry)) {
          clearTimeout(timer);
          resolve(entry);
        }
      });
      // 'close': after the exit and the last of its output, so the last lines are in.
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${main} exited (${code ?? signal}) before ready: ${told()}`));
      });
    });
    return {
      child,
      ready,
      readyAt: Date.now(),
      crash: async () => {
        child.kill('SIGKILL');
        await gone;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
