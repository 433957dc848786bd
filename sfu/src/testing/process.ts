import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/** A standalone SFU process started for a test. */
export interface SfuProcess {
  readonly url: string;
  readonly secret: string;
  readonly child: ChildProcess;
  /** SIGTERM, then waits for the exit code; idempotent. */
  stop(): Promise<number | null>;
}

/**
 * Starts `sfu/src/main.ts` as its own process on a free loopback port with a
 * fresh secret, and resolves once its RPC listens. `env` overrides SFU_* settings.
 */
export async function startSfuProcess(env: Record<string, string> = {}): Promise<SfuProcess> {
  const secret = randomBytes(24).toString('hex');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      SFU_RPC_PORT: '0',
      SFU_RPC_SECRET: secret,
      SFU_WORKERS: '1',
      ...env,
      // The listening line below is logged at info.
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  // Never leave an SFU behind, whatever ends this process.
  const reap = () => child.kill('SIGTERM');
  process.once('exit', reap);
  void exited.then(() => process.off('exit', reap));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.includes('sfu rpc listening')) resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    void exited.then((code) => reject(new Error(`sfu process exited (${code}) before listening`)));
    setTimeout(() => reject(new Error('sfu process did not listen within 60 s')), 60_000).unref();
  }).catch((err: unknown) => {
    child.kill('SIGTERM');
    throw err;
  });
  let stopping: Promise<number | null> | undefined;
  return {
    url,
    secret,
    child,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return exited;
      })();
      return stopping;
    },
  };
}
