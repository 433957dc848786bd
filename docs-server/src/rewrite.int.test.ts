import { DOC_REWRITE_CHANNEL, type DocRewriteNotice } from '@preau/protocol';
import { docFromState, mergeParts } from '@preau/protocol/docs-model';
import {
  docClientAuthors,
  type Fanout,
  MemoryFanout,
  RedisFanout,
  readDocParts,
  rewriteDocHistory,
  storedDocBytes,
} from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startRedis, type TestRedis } from '../../tests/support/redis';
import { connect, type DocsHarness, editors, saved, startDocsHarness } from './testing/harness';

const SPACE = 'class_erasure';

/** What an erasure does for one document: rewrite its stored history, then tell the docs servers. */
async function erase(h: DocsHarness, publisher: Fanout, docId: string, person: string) {
  const clients = new Set<number>();
  for (const [client, author] of await docClientAuthors(h.database.db, docId)) {
    if (author === person) clients.add(client);
  }
  const outcome = await rewriteDocHistory(h.database.db, {
    docId,
    reason: 'erasure',
    eraseClients: clients,
  });
  if (!outcome.ok) throw new Error(`rewrite refused: ${outcome.why}`);
  const notice: DocRewriteNotice = {
    docId,
    seq: outcome.seq,
    deletion: Buffer.from(outcome.deletion).toString('base64'),
  };
  await publisher.publish(DOC_REWRITE_CHANNEL, JSON.stringify(notice));
}

async function storedText(h: DocsHarness, docId: string) {
  const parts = await readDocParts(h.database.db, docId);
  const state = mergeParts(
    parts.snapshot?.state ?? null,
    parts.updates.map((u) => u.body),
  );
  return docFromState(state).getText('t').toString();
}

interface Transport {
  /** The docs server's fan-out. */
  serverSide: Fanout;
  /** Where the erasure publishes (web's fan-out). */
  publisher: Fanout;
  stop(): Promise<void>;
}

function followsErasures(name: string, transport: () => Promise<Transport>) {
  describe(`a loaded document follows an erasure (fan-out: ${name})`, () => {
    let h: DocsHarness;
    let t: Transport;
    let publisher: Fanout;
    beforeAll(async () => {
      t = await transport();
      publisher = t.publisher;
      h = await startDocsHarness({ fanout: t.serverSide, compactEvery: 1000 });
    });
    afterAll(async () => {
      await h?.close();
      await t?.stop();
    });

    it('connected clients and the copy in memory drop the text; editing goes on; a reload is clean', async () => {
      const docId = await h.newDoc(SPACE);
      const token = (sub: string) => h.mint({ sub, space: SPACE, doc: docId });
      const [lea, bob] = await editors(h, SPACE, docId, ['pLea', 'pBob']);
      const leaText = lea.document.getText('t');
      leaText.insert(0, 'Brouillon jeté. ');
      await saved(lea);
      leaText.delete(0, 'Brouillon jeté. '.length);
      leaText.insert(0, 'Le secret de Léa. ');
      await saved(lea);
      await expect.poll(() => bob.document.getText('t').toString()).toBe('Le secret de Léa. ');
      const bobText = bob.document.getText('t');
      bobText.insert(bobText.length, 'Texte de Bob.');
      await Promise.all([saved(lea), saved(bob)]);
      expect((await storedDocBytes(h.database.db, docId)).includes('secret')).toBe(true);

      await erase(h, publisher, docId, 'pLea');

      // Every connected copy loses Léa's text, live.
      await expect.poll(() => bob.document.getText('t').toString()).toBe('Texte de Bob.');
      await expect.poll(() => lea.document.getText('t').toString()).toBe('Texte de Bob.');
      const inMemory = h.docs.hocuspocus.documents.get(docId)!;
      const memoryBytes = Buffer.from(Y.encodeStateAsUpdate(inMemory));
      expect(memoryBytes.includes(Buffer.from('secret'))).toBe(false);
      expect(memoryBytes.includes(Buffer.from('Brouillon'))).toBe(false);
      const bobBytes = Buffer.from(Y.encodeStateAsUpdate(bob.document));
      expect(bobBytes.includes(Buffer.from('secret'))).toBe(false);

      // Editing goes on; the deletion is not stored twice, nothing brings the text back.
      bobText.insert(bobText.length, ' Suite.');
      await saved(bob);
      const parts = await readDocParts(h.database.db, docId);
      expect(parts.updates.map((u) => u.author)).toEqual(['system', 'pBob']);
      expect(await storedText(h, docId)).toBe('Texte de Bob. Suite.');
      const stored = await storedDocBytes(h.database.db, docId);
      expect(stored.includes(Buffer.from('secret'))).toBe(false);
      expect(stored.includes(Buffer.from('Brouillon'))).toBe(false);

      // Once unloaded, the document loads again from its clean base.
      lea.destroy();
      bob.destroy();
      await expect.poll(() => h.docs.hocuspocus.documents.has(docId)).toBe(false);
      const again = connect(h.wsUrl, docId, await token('pBob'));
      await saved(again);
      expect(again.document.getText('t').toString()).toBe('Texte de Bob. Suite.');
      const reloaded = Buffer.from(Y.encodeStateAsUpdate(h.docs.hocuspocus.documents.get(docId)!));
      expect(reloaded.includes(Buffer.from('secret'))).toBe(false);
      again.destroy();
    });

    it('ignores notices it cannot read and documents it does not hold', async () => {
      await publisher.publish(DOC_REWRITE_CHANNEL, 'not json');
      await publisher.publish(
        DOC_REWRITE_CHANNEL,
        JSON.stringify({ docId: 'dmissing', seq: 1, deletion: '' }),
      );
      const docId = await h.newDoc(SPACE);
      const client = connect(
        h.wsUrl,
        docId,
        await h.mint({ sub: 'pBob', space: SPACE, doc: docId }),
      );
      await saved(client);
      client.document.getText('t').insert(0, 'Toujours là.');
      await saved(client);
      expect(await storedText(h, docId)).toBe('Toujours là.');
      client.destroy();
    });
  });
}

followsErasures('in memory, one process', async () => {
  const fanout = new MemoryFanout();
  return { serverSide: fanout, publisher: fanout, stop: () => fanout.close() };
});

let redis: TestRedis | undefined;
followsErasures('Redis, erasure published by another process', async () => {
  redis = await startRedis();
  const serverSide = new RedisFanout(redis.url);
  const publisher = new RedisFanout(redis.url);
  return {
    serverSide,
    publisher,
    stop: async () => {
      await serverSide.close();
      await publisher.close();
      await redis?.stop();
    },
  };
});
