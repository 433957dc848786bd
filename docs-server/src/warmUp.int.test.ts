import { recordingLogger, silentLogger } from '@preau/protocol/server';
import { appendDocUpdates, openDatabase } from '@preau/storage';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type DocsHarness, startDocsHarness } from './testing/harness';
import { warmUp } from './warmUp';

/** Every row a warm-up could change, counted and summed. */
async function everything(h: DocsHarness) {
  const { rows } = await sql<{ v: string }>`
    SELECT concat_ws('/',
      (SELECT count(*) || ' ' || coalesce(sum(last_seq), 0) || ' ' || max(updated_at) FROM doc),
      (SELECT count(*) FROM doc_update),
      (SELECT count(*) FROM doc_snapshot),
      (SELECT count(*) FROM doc_client),
      (SELECT count(*) FROM trace_outbox),
      (SELECT count(*) || ' ' || coalesce(sum(last_seq), 0) FROM trace_space)) AS v`.execute(
    h.database.db,
  );
  return rows[0]!.v;
}

describe('warming up before taking connections', () => {
  let h: DocsHarness;
  beforeAll(async () => {
    h = await startDocsHarness({});
  });
  afterAll(() => h?.close());

  it('writes as typing does, and keeps nothing: every document, update, snapshot and trace stays as it was', async () => {
    const docId = await h.newDoc('class_warm');
    const writer = new Y.Doc();
    const updates: Uint8Array[] = [];
    writer.on('update', (u: Uint8Array) => updates.push(u));
    writer.getText('t').insert(0, 'Bonjour');
    await appendDocUpdates(
      h.database.db,
      updates.map((body) => ({ docId, author: 'eleve', body, newClients: [writer.clientID] })),
    );
    const before = await everything(h);
    const { log, lines } = recordingLogger();
    await warmUp(h.database.db, log);
    expect(await everything(h)).toBe(before);
    expect(lines.map((l) => l.msg)).toEqual(['docs warmed up']);
    // The writes ran (batches stored, then rolled back), not skipped.
    expect(lines[0]!.writes).toBeGreaterThanOrEqual(10);
    // The count sees a change: one stored afterwards shows.
    await appendDocUpdates(
      h.database.db,
      updates.map((body) => ({ docId, author: 'eleve', body })),
    );
    expect(await everything(h)).not.toBe(before);
  });

  it('never keeps the server from starting: a database that fails is logged', async () => {
    const closed = await openDatabase({ memory: true }, silentLogger());
    await closed.close();
    const { log, lines } = recordingLogger();
    await expect(warmUp(closed.db, log)).resolves.toBeUndefined();
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      'warming up the docs failed',
    ]);
  });
});
