import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCS_WS_PATH } from '@preau/protocol';
import { generateSigningKey, silentLogger } from '@preau/protocol/server';
import { createDoc, openDatabase } from '@preau/storage';
import { afterAll, describe, expect, it } from 'vitest';
import { disconnected, reconnectingEditor, resynced } from '../../tests/support/docsNodes';
import { startPostgres, type TestPostgres } from '../../tests/support/postgres';
import { type ServiceProcess, startService } from '../../tests/support/service';
import { connect, saved, TEST_ISSUER, tokenMinter } from './testing/harness';
import { messageType, SYNC_STATUS_TYPE } from './wire';

const SPACE = 'class_kill';

/** Every docs process started here, stopped after the tests whatever happened. */
const started: ServiceProcess[] = [];

/** Runs `docs-server/src/main.ts` as its own process (on `onPort`, any free one by default) and waits until it listens. */
async function startDocsProcess(env: Record<string, string>, onPort = '0') {
  const node = await startService(
    'docs-server/src/main.ts',
    { ...env, DOCS_PORT: onPort },
    (e) => e.msg === 'docs server listening',
  );
  started.push(node);
  const port = node.ready.port as number;
  return { node, port, readyAt: node.readyAt, wsUrl: `ws://127.0.0.1:${port}${DOCS_WS_PATH}` };
}

describe.each(['postgresql', 'pglite'] as const)(
  'docs server killed with SIGKILL (%s)',
  (engine) => {
    let pg: TestPostgres | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'preau-docs-kill-'));
    afterAll(async () => {
      for (const node of started) await node.stop();
      await pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    // Two process starts and a PGlite restart: slow on a loaded two-core machine.
    it('loses no acknowledged update while typing; a reader is back within 5 s', {
      timeout: 300_000,
    }, async () => {
      const dbEnv: Record<string, string> = {};
      let where: Parameters<typeof openDatabase>[0];
      if (engine === 'postgresql') {
        pg = await startPostgres();
        dbEnv.DATABASE_URL = pg.url;
        where = { url: pg.url };
      } else {
        dbEnv.DATA_DIR = dir;
        where = { dataDir: join(dir, 'pglite') };
      }
      // The document exists before the server starts (PGlite allows one process at a time).
      const setup = await openDatabase(where, silentLogger());
      const docId = (
        await createDoc(setup.db, { space: SPACE, kind: 'pad', title: 'K', actor: 'a' })
      ).id;
      await setup.close();

      const key = await generateSigningKey('kill');
      const mint = tokenMinter(key);
      const env = {
        ...dbEnv,
        JWKS: JSON.stringify({ keys: [key.publicJwk] }),
        TOKEN_ISSUER: TEST_ISSUER,
        // A typist far faster than any person, to have updates in flight at the kill.
        DOCS_MESSAGES_PER_SECOND: '100000',
        DOCS_MESSAGE_BURST: '100000',
      };
      const first = await startDocsProcess(env);
      const typist = connect(
        first.wsUrl,
        docId,
        await mint({ sub: 'typist', space: SPACE, doc: docId }),
      );
      await saved(typist);
      // Someone reading along, whose page stays open across the crash.
      const reading = reconnectingEditor(
        first.wsUrl,
        docId,
        await mint({ sub: 'watcher', space: SPACE, doc: docId }),
      );
      await saved(reading.provider);

      // From here each insert is one update message, acknowledged in order.
      let acked = 0;
      typist.on('message', ({ event }: { event: MessageEvent }) => {
        const bytes = new Uint8Array(event.data as ArrayBuffer);
        if (messageType(bytes) === SYNC_STATUS_TYPE && bytes.at(-1) === 1) acked += 1;
      });
      const text = typist.document.getText('t');
      let typed = '';
      const gone = disconnected(typist);
      // Five keystrokes every 5 ms: far faster than the server commits, so
      // updates are in flight (sent, not yet acknowledged) at the kill.
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          for (let i = 0; i < 5; i++) {
            const ch = String.fromCharCode(97 + (typed.length % 26));
            text.insert(typed.length, ch);
            typed += ch;
          }
          if (acked >= 150) {
            clearInterval(timer);
            first.node.child.kill('SIGKILL');
            resolve();
          }
        }, 5);
      });
      await first.node.crash();
      await gone;
      // The kill follows, in the same tick, five keystrokes just sent: it
      // always falls mid-typing. Acknowledgements already on their way are
      // read by now; each was sent once its update was stored, so all count.
      // (On a loaded machine the server may have stored every keystroke
      // before the signal landed: no loss either, so no "fewer acknowledged
      // than typed" here: that made the test fail for nothing.)
      const ackedAtKill = acked;
      // The typist leaves for good: only what the server stored can come back.
      typist.destroy();

      // A supervisor starts it again on the same port; the reader comes back by itself.
      const back = resynced(reading.provider);
      const second = await startDocsProcess(env, String(first.port));
      try {
        const backAt = await back;
        expect(backAt - second.readyAt).toBeLessThan(5000);
        const seen = reading.provider.document.getText('t').toString();
        reading.destroy();
        expect(seen.length).toBeGreaterThanOrEqual(ackedAtKill);
        expect(typed.startsWith(seen)).toBe(true);
        const reader = connect(
          second.wsUrl,
          docId,
          await mint({ sub: 'reader', space: SPACE, doc: docId }),
        );
        await saved(reader);
        const stored = reader.document.getText('t').toString();
        reader.destroy();
        expect(stored.length).toBeGreaterThanOrEqual(ackedAtKill);
        expect(typed.startsWith(stored)).toBe(true);
      } finally {
        reading.destroy();
        await second.node.stop();
      }
    });
  },
);
