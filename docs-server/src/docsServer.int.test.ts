import { setTimeout as sleep } from 'node:timers/promises';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { CLOSE_CODES, DOC_LIMITS } from '@preau/protocol';
import { docFromState, mergeParts } from '@preau/protocol/docs-model';
import { archiveDoc, readDocParts, readOutbox } from '@preau/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  connect,
  type DocsHarness,
  editors,
  saved,
  startDocsHarness,
  upgradeStatus,
} from './testing/harness';
import { messageType, readMessageType, readVarUint, SYNC_STATUS_TYPE } from './wire';

const SPACE = 'class_c1';

async function storedText(h: DocsHarness, docId: string, key = 't') {
  const parts = await readDocParts(h.database.db, docId);
  const doc = docFromState(
    mergeParts(
      parts.snapshot?.state ?? null,
      parts.updates.map((u) => u.body),
    ),
  );
  return doc.getText(key).toString();
}

describe('docs server', () => {
  let h: DocsHarness;
  beforeAll(async () => {
    h = await startDocsHarness({ compactEvery: 10 });
  });
  afterAll(() => h?.close());

  it('syncs two writers, stores each update with its author and traces it', async () => {
    const docId = await h.newDoc(SPACE);
    const [a, b] = await editors(h, SPACE, docId, ['alice', 'bob']);
    a.document.getText('t').insert(0, 'Bonjour');
    await expect.poll(() => b.document.getText('t').toString()).toBe('Bonjour');
    b.document.getText('t').insert(7, ' à tous');
    await expect.poll(() => a.document.getText('t').toString()).toBe('Bonjour à tous');
    await Promise.all([saved(a), saved(b)]);
    // Acknowledged means stored: no waiting for a debounce.
    expect(await storedText(h, docId)).toBe('Bonjour à tous');
    const parts = await readDocParts(h.database.db, docId);
    expect(new Set(parts.updates.map((u) => u.author))).toEqual(new Set(['alice', 'bob']));
    const traces = (await readOutbox(h.database.db, SPACE)).filter(
      (r) => r.kind === 'doc.update' && r.subject === docId,
    );
    expect(traces.map((r) => r.actor).sort()).toEqual(parts.updates.map((u) => u.author).sort());
    // The trace body is the very update that was stored.
    const first = parts.updates[0]!;
    const traced = traces.find((r) => r.payload.seq === first.seq)!;
    expect([...(traced.body ?? [])]).toEqual([...first.body]);
    a.destroy();
    b.destroy();
  });

  it('sends the changes of a busy document in windows, a quiet one’s at once', async () => {
    // Busy from 10 changes a second; a window of 1 s (defaults: 100 a second, 50 ms).
    const windowed = await startDocsHarness({
      broadcastWindow: { windowMs: 1000, busyPerSecond: 10 },
    });
    try {
      const reaches = async (b: HocuspocusProvider, letter: string) => {
        await expect
          .poll(() => b.document.getText('t').toString().endsWith(letter), {
            timeout: 5000,
            interval: 5,
          })
          .toBe(true);
      };
      // A quiet document: five keystrokes that arrive together are five, not
      // a rate of thousands a second; the next one, soon after, is not held
      // for a window.
      {
        const docId = await windowed.newDoc(SPACE);
        const [a, b] = await editors(windowed, SPACE, docId, ['alice', 'bob']);
        const text = a.document.getText('t');
        for (const letter of 'Salut') text.insert(text.length, letter);
        await reaches(b, 't');
        await sleep(100);
        const typed = performance.now();
        text.insert(text.length, '!');
        await reaches(b, '!');
        expect(performance.now() - typed).toBeLessThan(500);
        a.destroy();
        b.destroy();
      }
      const docId = await windowed.newDoc(SPACE);
      const [a, b] = await editors(windowed, SPACE, docId, ['alice', 'bob']);
      const text = a.document.getText('t');
      let messages = 0;
      b.document.on('update', () => {
        messages += 1;
      });
      // Busy: thirty keystrokes 20 ms apart (50 a second; 25 on a machine
      // twice as slow is still busy). The first dozen go out one by one while
      // the rate builds up past 10 a second; the rest reach Bob in a window
      // or two.
      const typedText = 'Bonjour à toutes et à tous !!';
      for (const letter of typedText) {
        text.insert(text.length, letter);
        await sleep(20);
      }
      // The writer's own changes are acknowledged (stored) without waiting for a window.
      await saved(a);
      await expect.poll(() => b.document.getText('t').toString()).toBe(typedText);
      expect(messages).toBeLessThanOrEqual(typedText.length - 10);
      // Quiet again (a pause longer than the window, then a keystroke a second):
      // each reaches Bob well before a window would have closed.
      await sleep(1200);
      for (const letter of '?:') {
        const typed = performance.now();
        text.insert(text.length, letter);
        await reaches(b, letter);
        expect(performance.now() - typed).toBeLessThan(500);
        await sleep(1000);
      }
      a.destroy();
      b.destroy();
    } finally {
      await windowed.close();
    }
  });

  it('sends a change to the other editors, not back to its writer', async () => {
    const docId = await h.newDoc(SPACE);
    const people = await editors(h, SPACE, docId, ['alice', 'bob', 'carol']);
    const [a, b, c] = people;
    // Sync messages (type 0) carrying an update (sync type 2), per editor.
    const updates = people.map(() => 0);
    for (const [i, p] of people.entries()) {
      p.on('message', ({ event }: { event: MessageEvent }) => {
        const bytes = new Uint8Array(event.data as ArrayBuffer);
        const type = readMessageType(bytes);
        if (type?.[0] === 0 && readVarUint(bytes, type[1])?.[0] === 2) updates[i]! += 1;
      });
    }
    for (const letter of 'salut') {
      a.document.getText('t').insert(a.document.getText('t').length, letter);
      await expect.poll(() => c.document.getText('t').toString().endsWith(letter)).toBe(true);
    }
    await expect.poll(() => b.document.getText('t').toString()).toBe('salut');
    await saved(a);
    expect(updates[0]).toBe(0);
    expect(updates[1]).toBeGreaterThanOrEqual(1);
    expect(updates[2]).toBeGreaterThanOrEqual(1);
    // All three typing at once: whatever is merged on the way, everyone ends with everything.
    for (let i = 0; i < 20; i++) {
      for (const [p, letter] of [
        [a, 'a'],
        [b, 'b'],
        [c, 'c'],
      ] as const)
        p.document.getText('t').insert(0, letter);
      await sleep(i % 4);
    }
    await Promise.all(people.map(saved));
    const texts = () => people.map((p) => p.document.getText('t').toString());
    await expect.poll(() => new Set(texts()).size).toBe(1);
    expect(texts()[0]!.length).toBe(65);
    expect(await storedText(h, docId)).toBe(texts()[0]);
    for (const p of people) p.destroy();
  });

  it('refuses a read-only user’s update on the server, not only in the UI', async () => {
    const docId = await h.newDoc(SPACE);
    const writer = connect(
      h.wsUrl,
      docId,
      await h.mint({ sub: 'teacher', space: SPACE, doc: docId }),
    );
    await saved(writer);
    writer.document.getText('t').insert(0, 'Consigne');
    await saved(writer);
    const reader = connect(
      h.wsUrl,
      docId,
      await h.mint({ sub: 'parent', space: SPACE, doc: docId, rights: ['read'] }),
    );
    await expect.poll(() => reader.document.getText('t').toString()).toBe('Consigne');
    expect(reader.authorizedScope).toBe('readonly');
    const before = (await readDocParts(h.database.db, docId)).updates.length;
    reader.document.getText('t').insert(0, 'PIRATÉ ');
    // The server answers the update with a refusal: it stays unacknowledged.
    await expect.poll(() => reader.unsyncedChanges).toBeGreaterThan(0);
    writer.document.getText('t').insert(8, ' du jour');
    await saved(writer);
    await expect
      .poll(() => h.docs.hocuspocus.documents.get(docId)?.getText('t').toString())
      .toBe('Consigne du jour');
    expect(writer.document.getText('t').toString()).toBe('Consigne du jour');
    const parts = await readDocParts(h.database.db, docId);
    expect(parts.updates.length).toBe(before + 1);
    expect(parts.updates.every((u) => u.author === 'teacher')).toBe(true);
    expect(await storedText(h, docId)).toBe('Consigne du jour');
    reader.destroy();
    writer.destroy();
  });

  it('never acknowledges an update it could not store (document archived meanwhile)', async () => {
    const docId = await h.newDoc(SPACE);
    const a = connect(h.wsUrl, docId, await h.mint({ sub: 'alice', space: SPACE, doc: docId }));
    await saved(a);
    a.document.getText('t').insert(0, 'avant');
    await saved(a);
    await archiveDoc(h.database.db, { docId, actor: 'teacher' });
    const acks: number[] = [];
    a.on('message', ({ event }: { event: MessageEvent }) => {
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      if (messageType(bytes) === SYNC_STATUS_TYPE) acks.push(bytes.at(-1)!);
    });
    a.document.getText('t').insert(5, ' après');
    // The store is refused: no positive acknowledgement, and the client reconnects read-only.
    await expect.poll(() => a.authorizedScope).toBe('readonly');
    expect(acks.filter((x) => x === 1)).toEqual([]);
    expect(await storedText(h, docId)).toBe('avant');
    a.destroy();
  });

  it('refuses non-members and bad tokens at the upgrade, before any socket', async () => {
    const docId = await h.newDoc(SPACE);
    const url = (token: string) => `${h.wsUrl}/${docId}?token=${encodeURIComponent(token)}`;
    // A member of another space asking for this document.
    expect(
      await upgradeStatus(url(await h.mint({ sub: 'eve', space: 'class_c2', doc: docId }))),
    ).toBe(403);
    // A token for another document of the same space.
    const other = await h.newDoc(SPACE);
    expect(await upgradeStatus(url(await h.mint({ sub: 'eve', space: SPACE, doc: other })))).toBe(
      403,
    );
    // No right to read.
    expect(
      await upgradeStatus(url(await h.mint({ sub: 'eve', space: SPACE, doc: docId, rights: [] }))),
    ).toBe(403);
    expect(await upgradeStatus(url('not-a-token'))).toBe(401);
    const missing = 'dmissing';
    expect(
      await upgradeStatus(
        `${h.wsUrl}/${missing}?token=${await h.mint({ sub: 'eve', space: SPACE, doc: missing })}`,
      ),
    ).toBe(404);
    expect(await upgradeStatus(url(await h.mint({ sub: 'ok', space: SPACE, doc: docId })))).toBe(
      101,
    );
  });

  it('tells a stock Hocuspocus provider without a token that it is unauthenticated, and it stops', async () => {
    const docId = await h.newDoc(SPACE);
    // As an integrator would write it: the token in the provider's options, not in the URL.
    const provider = new HocuspocusProvider({
      url: `${h.wsUrl}/${docId}`,
      name: docId,
      token: await h.mint({ sub: 'ok', space: SPACE, doc: docId }),
    });
    const socket = provider.configuration.websocketProvider;
    let opened = 0;
    socket.on('open', () => {
      opened += 1;
    });
    const failed = await new Promise<string>((resolve) =>
      provider.on('authenticationFailed', ({ reason }: { reason: string }) => resolve(reason)),
    );
    expect(failed).toBe('unauthenticated');
    // Told once, it stays put: no reconnection loop, no document opened for it.
    // (a refused upgrade would have been retried after its one-second delay by now)
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(opened).toBe(1);
    expect(provider.isSynced).toBe(false);
    expect(h.docs.hocuspocus.documents.has(docId)).toBe(false);
    provider.destroy();
  });

  it('reloads a document from the database once it left memory, through snapshots', async () => {
    const docId = await h.newDoc(SPACE);
    const a = connect(h.wsUrl, docId, await h.mint({ sub: 'alice', space: SPACE, doc: docId }));
    await saved(a);
    for (let i = 0; i < 25; i++) {
      a.document.getText('t').insert(i, String.fromCharCode(97 + i));
      // One stored update each (updates arriving together are stored as one).
      await saved(a);
    }
    a.destroy();
    await expect.poll(() => h.docs.hocuspocus.documents.has(docId)).toBe(false);
    const parts = await readDocParts(h.database.db, docId);
    expect(parts.snapshot?.seq).toBeGreaterThanOrEqual(10);
    const b = connect(h.wsUrl, docId, await h.mint({ sub: 'bob', space: SPACE, doc: docId }));
    await saved(b);
    expect(b.document.getText('t').toString()).toBe('abcdefghijklmnopqrstuvwxy');
    b.destroy();
  });

  it('closes a connection that sends too much, with the protocol’s close codes', async () => {
    const small = await startDocsHarness({
      database: h.database,
      limits: { maxMessageBytes: 4096, messagesPerSecond: 5, messageBurst: 10 },
    });
    try {
      const docId = await small.newDoc(SPACE);
      const token = await small.mint({ sub: 'alice', space: SPACE, doc: docId });
      const closeCode = (send: (ws: WebSocket) => void) =>
        new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(`${small.wsUrl}/${docId}?token=${token}`);
          ws.on('open', () => send(ws));
          ws.on('close', (code) => resolve(code));
          ws.on('error', reject);
        });
      expect(await closeCode((ws) => ws.send(new Uint8Array(8192)))).toBe(CLOSE_CODES.tooLarge);
      expect(
        await closeCode((ws) => {
          // Well-formed frames (ask for presence), far above the allowed rate.
          const name = new TextEncoder().encode(docId);
          const frame = new Uint8Array([name.length, ...name, 3]);
          for (let i = 0; i < 50; i++) ws.send(frame);
        }),
      ).toBe(CLOSE_CODES.rateLimited);
      expect(DOC_LIMITS.maxMessageBytes).toBeGreaterThan(4096);
    } finally {
      await small.close();
    }
  });

  it('merges edits made while offline when the client reconnects', async () => {
    const docId = await h.newDoc(SPACE);
    const [a, b] = await editors(h, SPACE, docId, ['alice', 'bob']);
    a.document.getText('t').insert(0, 'commun');
    await expect.poll(() => b.document.getText('t').toString()).toBe('commun');
    const offline = new Promise<void>((resolve) =>
      a.on('status', ({ status }: { status: string }) => status === 'disconnected' && resolve()),
    );
    a.configuration.websocketProvider.disconnect();
    await offline;
    a.document.getText('t').insert(0, 'hors-ligne ');
    b.document.getText('t').insert(6, ' en ligne');
    await saved(b);
    await a.configuration.websocketProvider.connect();
    await saved(a);
    const expected = 'hors-ligne commun en ligne';
    await expect.poll(() => a.document.getText('t').toString()).toBe(expected);
    await expect.poll(() => b.document.getText('t').toString()).toBe(expected);
    expect(await storedText(h, docId)).toBe(expected);
    a.destroy();
    b.destroy();
  });
});
