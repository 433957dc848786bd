import type { HocuspocusProvider } from '@hocuspocus/provider';
import {
  boardElementValues,
  docFromState,
  mergeParts,
  pushBoardElement,
} from '@preau/protocol/docs-model';
import { silentLogger } from '@preau/protocol/server';
import { type Database, openDatabase, readDocParts, readOutbox } from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../tests/support/postgres';
import { startRedis, type TestRedis } from '../../tests/support/redis';
import { docChannel } from './NodeRelay';
import { connect, type DocsHarness, saved, startDocsHarness } from './testing/harness';

const SPACE = 'class_nodes';

/** Two docs nodes in this process, as two machines would run them: one PostgreSQL, one Redis. */
describe('documents across two docs nodes', () => {
  let redis: TestRedis | undefined;
  let pg: TestPostgres | undefined;
  const databases: Database[] = [];
  let a: DocsHarness;
  let b: DocsHarness;
  // Two more nodes that never read the database back: what reaches them came through Redis.
  let relayOnlyA: DocsHarness;
  let relayOnlyB: DocsHarness;
  const clients = new Set<HocuspocusProvider>();

  /** A client of one node; destroyed after the test whatever happens. */
  const client = async (node: DocsHarness, docId: string, sub: string) => {
    const provider = connect(node.wsUrl, docId, await node.mint({ sub, space: SPACE, doc: docId }));
    clients.add(provider);
    await saved(provider);
    return provider;
  };
  const leave = (...providers: HocuspocusProvider[]) => {
    for (const p of providers) {
      p.destroy();
      clients.delete(p);
    }
  };

  beforeAll(async () => {
    redis = await startRedis();
    pg = await startPostgres();
    // Each node has its own pool, as on two machines (opened one after the other: migrations).
    for (let i = 0; i < 4; i++) databases.push(await openDatabase({ url: pg.url }, silentLogger()));
    const crossNode = { redisUrl: redis.url };
    a = await startDocsHarness({ database: databases[0]!, crossNode });
    b = await startDocsHarness({ database: databases[1]!, crossNode });
    const never = { redisUrl: redis.url, catchUpMs: 3_600_000 };
    relayOnlyA = await startDocsHarness({ database: databases[2]!, crossNode: never });
    relayOnlyB = await startDocsHarness({ database: databases[3]!, crossNode: never });
  }, 180_000);

  afterAll(async () => {
    const steps = [
      ...[...clients].map((p) => async () => p.destroy()),
      async () => a?.close(),
      async () => b?.close(),
      async () => relayOnlyA?.close(),
      async () => relayOnlyB?.close(),
      ...databases.map((d) => () => d.close()),
      async () => pg?.stop(),
      async () => redis?.stop(),
    ];
    const failures: unknown[] = [];
    for (const step of steps) await step().catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw failures[0];
  }, 60_000);

  async function stored(docId: string) {
    const parts = await readDocParts(databases[0]!.db, docId);
    const traces = (await readOutbox(databases[0]!.db, SPACE)).filter(
      (r) => r.kind === 'doc.update' && r.subject === docId,
    );
    const doc = docFromState(
      mergeParts(
        parts.snapshot?.state ?? null,
        parts.updates.map((u) => u.body),
      ),
    );
    return { authors: parts.updates.map((u) => u.author), traces: traces.length, doc };
  }

  it('two editors of one pad on two nodes converge; carets cross; each update is stored and traced once', async () => {
    const a = relayOnlyA;
    const b = relayOnlyB;
    const docId = await a.newDoc(SPACE, 'pad');
    const alice = await client(a, docId, 'alice');
    const bob = await client(b, docId, 'bob');
    alice.document.getText('t').insert(0, 'Bonjour');
    await expect.poll(() => bob.document.getText('t').toString()).toBe('Bonjour');
    bob.document.getText('t').insert(7, ' à tous');
    await expect.poll(() => alice.document.getText('t').toString()).toBe('Bonjour à tous');
    await Promise.all([saved(alice), saved(bob)]);

    // A caret set on node B reaches the editor on node A, with the name from bob's token.
    bob.setAwarenessField('cursor', { anchor: 3, head: 5 });
    await expect
      .poll(() => alice.awareness?.getStates().get(bob.document.clientID))
      .toMatchObject({ cursor: { anchor: 3, head: 5 }, user: { id: 'bob', name: 'Personne bob' } });

    // One row and one trace record per update, by the node that received it.
    const s = await stored(docId);
    expect(s.authors).toEqual(['alice', 'bob']);
    expect(s.traces).toBe(2);
    expect(s.doc.getText('t').toString()).toBe('Bonjour à tous');
    expect(a.docs.stats().recovered + b.docs.stats().recovered).toBe(0);
    leave(alice, bob);
  });

  it('one board edited from two nodes; pointers cross; a reader after both left sees it all', async () => {
    const a = relayOnlyA;
    const b = relayOnlyB;
    const docId = await a.newDoc(SPACE, 'board');
    const alice = await client(a, docId, 'alice');
    const bob = await client(b, docId, 'bob');
    pushBoardElement(alice.document, 'a0', { id: 'r1', type: 'rectangle', x: 1, y: 2 });
    await expect.poll(() => boardElementValues(bob.document).map((e) => e.id)).toEqual(['r1']);
    pushBoardElement(bob.document, 'a1', { id: 'e1', type: 'ellipse', x: 3, y: 4 });
    await expect
      .poll(() => boardElementValues(alice.document).map((e) => e.id))
      .toEqual(['r1', 'e1']);
    alice.setAwarenessField('pointer', { x: 10, y: 20 });
    await expect
      .poll(() => bob.awareness?.getStates().get(alice.document.clientID)?.pointer)
      .toEqual({ x: 10, y: 20 });
    await Promise.all([saved(alice), saved(bob)]);
    leave(alice, bob);

    const later = await client(b, docId, 'carol');
    expect(boardElementValues(later.document).map((e) => e.id)).toEqual(['r1', 'e1']);
    expect((await stored(docId)).authors).toEqual(['alice', 'bob']);
    leave(later);
  });

  it('an update lost between the nodes is recovered from the database within 3 s', async () => {
    const docId = await a.newDoc(SPACE, 'pad');
    const alice = await client(a, docId, 'alice');
    const bob = await client(b, docId, 'bob');
    alice.document.getText('t').insert(0, 'un');
    await expect.poll(() => bob.document.getText('t').toString()).toBe('un');
    await saved(alice);
    const recoveredBefore = b.docs.stats().recovered;

    // Node B stops hearing the document's channel for a moment: the one
    // message announcing alice's next change (its state vector) is lost.
    const relay = b.docs.relay!;
    await relay.sub.unsubscribe(docChannel(docId));
    alice.document.getText('t').insert(2, ' deux');
    await saved(alice);
    const storedAt = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await relay.sub.subscribe(docChannel(docId));

    // Nothing else changes, so no later sync step between the nodes repairs
    // it: node B reads it from the database and sends it to bob.
    await expect
      .poll(() => bob.document.getText('t').toString(), { timeout: 3000, interval: 20 })
      .toBe('un deux');
    expect(Date.now() - storedAt).toBeLessThan(3000);
    expect(b.docs.stats().recovered).toBe(recoveredBefore + 1);

    // The nodes still relay afterwards, and nothing was stored twice.
    bob.document.getText('t').insert(7, ' trois');
    await expect.poll(() => alice.document.getText('t').toString()).toBe('un deux trois');
    await Promise.all([saved(alice), saved(bob)]);
    const s = await stored(docId);
    expect(s.authors).toEqual(['alice', 'alice', 'bob']);
    expect(s.traces).toBe(3);
    expect(s.doc.getText('t').toString()).toBe('un deux trois');
    leave(alice, bob);
  });

  it('an editor moving to the other node does not get its stored change stored again there', async () => {
    const docId = await a.newDoc(SPACE, 'pad');
    const alice = await client(a, docId, 'alice');
    const bob = await client(b, docId, 'bob');
    alice.document.getText('t').insert(0, 'un');
    await expect.poll(() => bob.document.getText('t').toString()).toBe('un');
    // Node A stores alice's change and node B never hears of it (as when A
    // dies between its commit and its relay)...
    const relay = b.docs.relay!;
    await relay.sub.unsubscribe(docChannel(docId));
    alice.document.getText('t').insert(2, ' deux');
    await saved(alice);
    await relay.sub.subscribe(docChannel(docId));
    // ...then alice's page reconnects through node B and sends it again: B
    // catches up with the database before reading her messages.
    const page = alice.document;
    leave(alice);
    const moved = connect(
      b.wsUrl,
      docId,
      await b.mint({ sub: 'alice', space: SPACE, doc: docId }),
      page,
    );
    clients.add(moved);
    await saved(moved);
    await expect.poll(() => bob.document.getText('t').toString()).toBe('un deux');
    const s = await stored(docId);
    expect(s.authors).toEqual(['alice', 'alice']);
    expect(s.traces).toBe(2);
    leave(moved, bob);
  });
});
