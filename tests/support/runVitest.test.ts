import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** `scripts/run-vitest.sh` on the fixture whose worker crashes; its exit code and output. */
async function runOnCrash(env: Record<string, string>) {
  const child = spawn(
    'bash',
    [
      'scripts/run-vitest.sh',
      '2',
      '0',
      '--config',
      'tests/support/fixtures/crash.vitest.config.ts',
    ],
    { env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, last: out.trim().split('\n').at(-1), err };
}

describe('a test file whose worker process crashes', () => {
  it('is run once more alone, said so with what the process printed, and counted by that run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'preau-crash-'));
    dirs.push(dir);
    const run = await runOnCrash({ CRASH_MARKER: join(dir, 'crashed-once') });
    expect(run.err).toMatch(/crash\.fixture\.ts died by SIGTRAP/);
    expect(run.err).toContain('# Check failed: pretended.');
    expect(run.err).toMatch(
      /re-run alone after its worker crashed: .*crash\.fixture\.ts: 3 passed, 0 failed/,
    );
    expect(run.last).toBe('5 passed, 0 failed');
    expect(run.code).toBe(0);
  }, 60_000);

  it('fails the run when it crashes again', async () => {
    const run = await runOnCrash({});
    expect(run.err).toMatch(/re-running alone/);
    expect(run.last).toMatch(/^\d+ passed, [1-9]\d* failed$/);
    expect(run.code).toBe(1);
  }, 60_000);
});
