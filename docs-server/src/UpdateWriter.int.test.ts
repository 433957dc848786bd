import { setTimeout as sleep } from 'node:timers/promises';
import { docFromState, mergeParts } from '@preau/protocol/docs-model';
import { silentLogger } from '@preau/protocol/server';
import { createDoc, type Database, openDatabase, readDocParts } from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { UpdateWriter } from './UpdateWriter';

describe('storing updates in group commits', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ memory: true }, silentLogger());
  });
  afterAll(() => database?.close());

  it('writes a lone update at once, and a steady stream in ticks, every update kept', async () => {
    const docId = (
      await createDoc(database.db, { space: 'class_w', kind: 'pad', title: 'Essai', actor: 'a' })
    ).id;
    const writer = new UpdateWriter({ db: database.db, log: silentLogger(), minPauseMs: 1000 });
    const typist = new Y.Doc();
    const bodies: Uint8Array[] = [];
    typist.on('update', (u: Uint8Array) => bodies.push(u));
    const text = typist.getText('t');
    const type = (letter: string, author: string) => {
      text.insert(text.length, letter);
      return writer.append({ docId, author, body: bodies.at(-1)!, newClients: [typist.clientID] });
    };

    // The database's first statements, in a fresh process, are slower than
    // any tick on a loaded machine: made first, then a pause longer than one.
    const other = (
      await createDoc(database.db, { space: 'class_w', kind: 'pad', title: 'Autre', actor: 'a' })
    ).id;
    await writer.append({
      docId: other,
      author: 'alice',
      body: Y.encodeStateAsUpdate(new Y.Doc()),
    });
    await sleep(1100);

    // Alone: stored without waiting for a tick (1 s).
    const started = performance.now();
    await type('B', 'alice');
    expect(performance.now() - started).toBeLessThan(600);
    await sleep(1100);

    // A steady stream: ten updates 30 ms apart, from two people.
    const before = writer.commits;
    const stored: Promise<unknown>[] = [];
    for (const [i, letter] of [...'onjour tou'].entries()) {
      stored.push(type(letter, i % 2 === 0 ? 'alice' : 'bob'));
      await sleep(30);
    }
    await Promise.all(stored);
    // One commit at once, then one per tick, not one per update.
    expect(writer.commits - before).toBeLessThanOrEqual(3);
    const parts = await readDocParts(database.db, docId);
    const doc = docFromState(
      mergeParts(
        parts.snapshot?.state ?? null,
        parts.updates.map((u) => u.body),
      ),
    );
    expect(doc.getText('t').toString()).toBe('Bonjour tou');
    expect(new Set(parts.updates.map((u) => u.author))).toEqual(new Set(['alice', 'bob']));
  });
});
