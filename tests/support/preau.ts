import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@preau/protocol/server';
import { type RunningPreau, startPreau } from '../../web/server/app';
import { readServerConfig } from '../../web/server/config';

/**
 * Starts the whole of Préau (built web app, embedded PGlite, local S3) on a
 * free loopback port in a fresh data folder; `env` overrides any setting.
 */
export async function startTestPreau(env: Record<string, string> = {}): Promise<RunningPreau> {
  const dataDir = mkdtempSync(join(tmpdir(), 'preau-e2e-'));
  const config = readServerConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // A busy test machine must not make the live node refuse the tests' browsers.
    LIVE_MAX_LOOP_DELAY_MS: '600000',
    ...env,
  });
  const preau = await startPreau(config, createLogger('preau-test', config.LOG_LEVEL));
  return {
    ...preau,
    close: async () => {
      await preau.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
