import { DOCS_WS_PATH } from '@preau/protocol';
import { docFromState, mergeParts } from '@preau/protocol/docs-model';
import { generateSigningKey, silentLogger } from '@preau/protocol/server';
import { createDoc, type Database, openDatabase, readDocParts, readOutbox } from '@preau/storage';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  disconnected,
  reconnectingEditor,
  resynced,
  startTcpBalancer,
} from '../../tests/support/docsNodes';
import { startPostgres, type TestPostgres } from '../../tests/support/postgres';
import { startRedis, type TestRedis } from '../../tests/support/redis';
import { type ServiceProcess, startService } from '../../tests/support/service';
import { saved, TEST_ISSUER, tokenMinter } from './testing/harness';
import { messageType, SYNC_STATUS_TYPE } from './wire';

const SPACE = 'class_nodes_kill';

describe('a docs node killed while its document is open on another node', () => {
  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  afterAll(async () => {
    const failures: unknown[] = [];
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length > 0) throw failures[0];
  }, 60_000);

  it('loses no acknowledged update; its editor carries on through the other node', {
    timeout: 300_000,
  }, async () => {
    const redis: TestRedis = await startRedis();
    cleanup.push(() => redis.stop());
    const pg: TestPostgres = await startPostgres();
    cleanup.push(() => pg.stop());
    const db: Database = await openDatabase({ url: pg.url }, silentLogger());
    cleanup.push(() => db.close());
    const docId = (await createDoc(db.db, { space: SPACE, kind: 'pad', title: 'K', actor: 'a' }))
      .id;

    const key = await generateSigningKey('nodes');
    const mint = tokenMinter(key);
    const env = {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      JWKS: JSON.stringify({ keys: [key.publicJwk] }),
      TOKEN_ISSUER: TEST_ISSUER,
      DOCS_PORT: '0',
      DOCS_CATCH_UP_MS: '500',
      // A typist far faster than any person, to have updates in flight at the kill.
      DOCS_MESSAGES_PER_SECOND: '100000',
      DOCS_MESSAGE_BURST: '100000',
    };
    const nodes: ServiceProcess[] = [];
    for (let i = 0; i < 2; i++) {
      const node = await startService(
        'docs-server/src/main.ts',
        env,
        (e) => e.msg === 'docs server listening',
      );
      cleanup.push(() => node.stop());
      nodes.push(node);
    }
    const [first, second] = nodes as [ServiceProcess, ServiceProcess];
    const portOf = (n: ServiceProcess) => n.ready.port as number;
    const balancer = await startTcpBalancer(() => nodes.map(portOf));
    cleanup.push(() => balancer.close());

    // The typist comes through the balancer (so onto the first node); a
    // reader sits on the second node.
    const typist = reconnectingEditor(
      `ws://127.0.0.1:${balancer.port}${DOCS_WS_PATH}`,
      docId,
      await mint({ sub: 'typist', space: SPACE, doc: docId }),
    );
    cleanup.push(() => typist.destroy());
    const reader = reconnectingEditor(
      `ws://127.0.0.1:${portOf(second)}${DOCS_WS_PATH}`,
      docId,
      await mint({ sub: 'reader', space: SPACE, doc: docId }),
    );
    cleanup.push(() => reader.destroy());
    await Promise.all([saved(typist.provider), saved(reader.provider)]);

    let acked = 0;
    typist.provider.on('message', ({ event }: { event: MessageEvent }) => {
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      if (messageType(bytes) === SYNC_STATUS_TYPE && bytes.at(-1) === 1) acked += 1;
    });
    const text = typist.provider.document.getText('t');
    let typed = '';
    const type = (n: number) => {
      for (let i = 0; i < n; i++) {
        const ch = String.fromCharCode(97 + (typed.length % 26));
        text.insert(typed.length, ch);
        typed += ch;
      }
    };
    const gone = disconnected(typist.provider);
    const back = resynced(typist.provider);
    // Five keystrokes every 5 ms, far faster than commits: updates are in
    // flight (sent, not acknowledged) when the first node dies.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        type(5);
        if (acked >= 150) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    const killedAt = Date.now();
    await first.crash();
    await gone;
    const ackedAtKill = acked;
    const readerAtKill = reader.provider.document.getText('t').toString();
    expect(ackedAtKill).toBeLessThan(typed.length);

    // Every acknowledged keystroke is in the database, and the other node
    // never showed its reader anything the database lacks.
    const storedText = async () => {
      const parts = await readDocParts(db.db, docId);
      const doc = docFromState(
        mergeParts(
          parts.snapshot?.state ?? null,
          parts.updates.map((u) => u.body),
        ),
      );
      return { text: doc.getText('t').toString(), parts };
    };
    const atKill = (await storedText()).text;
    expect(atKill.length).toBeGreaterThanOrEqual(ackedAtKill);
    expect(typed.startsWith(atKill)).toBe(true);
    expect(atKill.startsWith(readerAtKill)).toBe(true);

    // The typist is back through the balancer, on the second node, within 5 s, and carries on.
    const backAt = await back;
    expect(backAt - killedAt).toBeLessThan(5000);
    type(20);
    await saved(typist.provider);
    await expect
      .poll(() => reader.provider.document.getText('t').toString(), { timeout: 5000 })
      .toBe(typed);

    // Stored whole, and nothing twice: no two stored updates hold the same
    // Yjs items (a keystroke stored by the dead node and again by the
    // survivor would), and one trace record per stored update.
    const end = await storedText();
    expect(end.text).toBe(typed);
    const items = new Map<number, Array<[number, number]>>();
    for (const u of end.parts.updates) {
      const meta = Y.parseUpdateMeta(u.body);
      for (const [client, from] of meta.from) {
        const to = meta.to.get(client)!;
        const ranges = items.get(client) ?? [];
        for (const [f, t] of ranges) expect(to <= f || from >= t).toBe(true);
        ranges.push([from, to]);
        items.set(client, ranges);
      }
    }
    const traces = (await readOutbox(db.db, SPACE)).filter(
      (r) => r.kind === 'doc.update' && r.subject === docId,
    );
    expect(traces.length).toBe(end.parts.updates.length);
  });
});
