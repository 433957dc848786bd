import type { ArchiveLine, ErasureReport } from '@preau/protocol';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import * as Y from 'yjs';
import type { Schema } from '../db/schema';
import { docClientAuthors } from '../docs/updates';
import type { ObjectStore } from '../objects/ObjectStore';
import { recordTrace } from '../trace/recordTrace';
import { type Auditor, appendAudit } from './audit';
import { fromBase64 } from './canonical';
import { heldCondition } from './cases';
import { newArchiveId } from './ids';
import type { ArchiveSigner } from './keys';
import { applyPendingRedactions } from './redaction';
import { SYSTEM_ACTOR, tombstone } from './retention';
import { SegmentReader } from './search';

/** A document rewritten without a person's text, for the document engine to adopt. */
export interface DocRewrite {
  space: string;
  docId: string;
  /** A Yjs update that deletes the person's remaining text (apply it to the live document). */
  deletion: Uint8Array;
  /** The whole document as it now is, without any deleted content (no tombstoned text). */
  snapshot: Uint8Array;
}

/** What an erasure needs. */
export interface ErasureDeps {
  db: Kysely<Schema>;
  objects: ObjectStore;
  signer: ArchiveSigner;
  log: Logger;
  /** Archives what is still in the outbox first. */
  drain?: () => Promise<unknown>;
  /**
   * Hands each rewritten document to the document engine, so its own
   * history, snapshots and live copy drop the text too.
   */
  onDocRewritten?: (rewrite: DocRewrite) => Promise<void>;
}

/** The Yjs client ids an update introduces (whose items it creates). */
export function clientsOf(update: Uint8Array): Set<number> {
  const { structs } = Y.decodeUpdate(update);
  return new Set(structs.map((s) => s.id.client));
}

/**
 * Rewrites a document without a person's text. Deleted text lives on in
 * Yjs as tombstones; here the person's remaining items are deleted (the
 * deletion is an ordinary update the live document can take), then the
 * document is re-encoded in a garbage-collected copy, where deleted content
 * is only a length: no erased character survives in the snapshot.
 */
export function eraseFromDocument(
  bodies: readonly Uint8Array[],
  personClients: ReadonlySet<number>,
): { deletion: Uint8Array; snapshot: Uint8Array } {
  const full = new Y.Doc({ gc: false });
  for (const body of bodies) Y.applyUpdate(full, body);
  let deletion: Uint8Array = new Uint8Array();
  const capture = (u: Uint8Array) => {
    deletion = u;
  };
  full.on('update', capture);
  full.transact((tr) => {
    for (const client of personClients) {
      for (const struct of full.store.clients.get(client) ?? []) {
        if (struct instanceof Y.Item && !struct.deleted) struct.delete(tr);
      }
    }
  });
  full.off('update', capture);
  const collected = new Y.Doc({ gc: true });
  Y.applyUpdate(collected, Y.encodeStateAsUpdate(full));
  const snapshot = Y.encodeStateAsUpdate(collected);
  full.destroy();
  collected.destroy();
  return { deletion, snapshot };
}

interface Hit {
  space_id: string;
  seq: number | string;
  kind: string;
  subject: string | null;
  actor: string | null;
  people: string[];
  at: Date;
  content_hash: string;
  segment_first: number | string;
  held: boolean;
}

/**
 * Erases a person: every archived record about them loses its content
 * (a tombstone per space keeps the chain verifiable), each pad or board they
 * wrote in is rewritten without their text, and segments are rewritten at
 * once so the text leaves object storage. Records under a legal hold are
 * kept, and the report says which, where and for which case.
 */
export async function erasePerson(deps: ErasureDeps, person: string): Promise<ErasureReport> {
  const { db } = deps;
  await deps.drain?.();
  const now = new Date();
  const hits = (await db
    .selectFrom('archive_record as r')
    .select([
      'r.space_id',
      'r.seq',
      'r.kind',
      'r.subject',
      'r.actor',
      'r.people',
      'r.at',
      'r.content_hash',
      'r.segment_first',
    ])
    .select(heldCondition('r').as('held'))
    .where(sql<boolean>`r.people @> ARRAY[${person}]::text[]`)
    .where('r.deleted_at', 'is', null)
    .orderBy('r.space_id')
    .orderBy('r.seq')
    .execute()) as Hit[];
  const erasable = hits.filter((h) => !h.held);

  // Documents first, while the person's updates can still be read.
  const { names: rewritten, superseded } = await rewriteDocuments(deps, person, erasable, now);

  const bySpace = new Map<string, Array<Pick<Hit, 'space_id' | 'seq' | 'content_hash'>>>();
  for (const h of [...erasable, ...superseded])
    bySpace.set(h.space_id, [...(bySpace.get(h.space_id) ?? []), h]);
  let erased = 0;
  for (const [space, rows] of bySpace) {
    for (let i = 0; i < rows.length; i += 1000) {
      erased += await tombstone(db, space, rows.slice(i, i + 1000), 'erasure', now);
    }
  }
  await applyPendingRedactions(deps);
  await deps.drain?.();

  const kept = await keptUnderHold(
    db,
    hits.filter((h) => h.held),
  );
  const report: ErasureReport = {
    person,
    at: now.toISOString(),
    erased,
    documentsRewritten: rewritten,
    kept,
  };
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('archive_erasure')
      .values({ id: newArchiveId('era'), person_id: person, report: JSON.stringify(report) })
      .execute();
    await appendAudit(
      tx,
      { id: person, role: 'self' },
      {
        action: 'rights.erase',
        details: { erased, documents: rewritten.length, kept: kept.map((k) => ({ ...k })) },
      },
    );
  });
  deps.log.info({ erased, documents: rewritten.length, kept: kept.length }, 'erasure done');
  return report;
}

/** Rewrites every document the person wrote in (outside holds); returns `space/doc` names. */
async function rewriteDocuments(
  deps: ErasureDeps,
  person: string,
  erasable: readonly Hit[],
  now: Date,
): Promise<{
  names: string[];
  superseded: Array<Pick<Hit, 'space_id' | 'seq' | 'content_hash'>>;
}> {
  const { db } = deps;
  const superseded: Array<Pick<Hit, 'space_id' | 'seq' | 'content_hash'>> = [];
  const docs = new Map<string, { space: string; docId: string }>();
  for (const h of erasable) {
    if (h.kind === 'doc.update' && h.subject && h.actor === person) {
      docs.set(`${h.space_id}/${h.subject}`, { space: h.space_id, docId: h.subject });
    }
  }
  const reader = new SegmentReader(db, deps.objects);
  const names: string[] = [];
  for (const [name, { space, docId }] of docs) {
    const rows = await db
      .selectFrom('archive_record')
      .select(['seq', 'segment_first'])
      .where('space_id', '=', space)
      .where('subject', '=', docId)
      .where('kind', '=', 'doc.update')
      .orderBy('seq')
      .execute();
    const lines = (
      await Promise.all(rows.map((r) => reader.line(space, Number(r.segment_first), Number(r.seq))))
    ).filter((l): l is ArchiveLine => l !== null);
    // An earlier rewrite's snapshot holds everyone's text, this person's too: it goes as well.
    const earlierSnapshots = lines
      .filter((l) => l.content?.actor === SYSTEM_ACTOR && l.content.payload.rebase === true)
      .map((l) => ({ space_id: space, seq: l.seq, content_hash: l.contentHash }));
    const bodies: Uint8Array[] = [];
    const clients = new Set<number>();
    for (const line of lines) {
      if (!line.content?.body) continue;
      const body = fromBase64(line.content.body);
      bodies.push(body);
      if (line.content.actor === person) for (const c of clientsOf(body)) clients.add(c);
    }
    // The document engine also knows which client ids each author used.
    for (const [client, author] of await docClientAuthors(db, docId)) {
      if (author === person) clients.add(client);
    }
    if (clients.size === 0) continue;
    const { deletion, snapshot } = eraseFromDocument(bodies, clients);
    await recordTrace(db, {
      actor: SYSTEM_ACTOR,
      kind: 'doc.update',
      space,
      subject: docId,
      at: now,
      payload: { rebase: true, reason: 'erasure', bytes: snapshot.byteLength },
      body: snapshot as Uint8Array<ArrayBuffer>,
    });
    await deps.onDocRewritten?.({ space, docId, deletion, snapshot });
    superseded.push(...earlierSnapshots);
    names.push(name);
  }
  return { names, superseded };
}

/** Held records grouped by space and by the case whose hold covers them. */
async function keptUnderHold(
  db: Kysely<Schema>,
  held: readonly Hit[],
): Promise<ErasureReport['kept']> {
  if (held.length === 0) return [];
  const holds = await db
    .selectFrom('archive_hold as h')
    .innerJoin('archive_case as c', 'c.id', 'h.case_id')
    .select(['h.space_id', 'h.person_id', 'h.from_at', 'h.until_at', 'c.reference'])
    .where('h.lifted_at', 'is', null)
    .orderBy('h.placed_at')
    .execute();
  const counts = new Map<string, { space: string; reference: string; records: number }>();
  for (const h of held) {
    const at = new Date(h.at).getTime();
    const hold = holds.find(
      (x) =>
        (!x.space_id || x.space_id === h.space_id) &&
        (!x.person_id || h.people.includes(x.person_id)) &&
        (!x.from_at || at >= new Date(x.from_at).getTime()) &&
        (!x.until_at || at <= new Date(x.until_at).getTime()),
    );
    const reference = hold?.reference ?? '?';
    const key = `${h.space_id}\u0000${reference}`;
    const entry = counts.get(key) ?? { space: h.space_id, reference, records: 0 };
    entry.records += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].map((e) => ({
    space: e.space,
    records: e.records,
    reason: 'legal_hold' as const,
    caseReference: e.reference,
  }));
}

/** A person's earlier erasure reports, newest first. */
export async function erasureReports(db: Kysely<Schema>, person: string): Promise<ErasureReport[]> {
  const rows = await db
    .selectFrom('archive_erasure')
    .select('report')
    .where('person_id', '=', person)
    .orderBy('requested_at', 'desc')
    .execute();
  return rows.map((r) => r.report as ErasureReport);
}

/** Audits a person downloading their own data. */
export async function auditOwnDownload(db: Kysely<Schema>, who: Auditor, records: number) {
  await appendAudit(db, who, { action: 'rights.download', details: { records } });
}
