import { describe, expect, it } from 'vitest';
import { freePort } from './ports';
import { startService } from './service';

describe('a service that exits before it is ready', () => {
  it('is reported with the log line that says why', async () => {
    // A docs node whose database refuses: it logs the failure as JSON on its output and exits.
    const refused = `postgres://nobody@127.0.0.1:${await freePort()}/none`;
    const start = startService(
      'docs-server/src/main.ts',
      { JWKS: '{"keys":[]}', DATABASE_URL: refused, PORT: String(await freePort()) },
      () => false,
      60_000,
    );
    await expect(start).rejects.toThrow(/exited \(1\) before ready[\s\S]*start failed/);
    await expect(start).rejects.toThrow(/ECONNREFUSED/);
  }, 90_000);
});
