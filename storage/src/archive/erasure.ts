import type { ArchiveLine, ErasureReport } from '@preau/protocol';
import { clientsOf, collapseDoc } from '@preau/protocol/docs-model';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { eraseChatMessagesOf } from '../classroom/chat';
import type { Schema } from '../db/schema';
import { eraseDocFilesOf } from '../docs/files';
import { rewriteDocHistory } from '../docs/history';
import { docClientAuthors } from '../docs/updates';
import type { ObjectStore } from '../objects/ObjectStore';
import { erasePollAnswersOf } from '../polls/polls';
import { eraseMarksOf } from '../presentation/presentation';
import { eraseSpaceFilesOf } from '../spaceContent/files';
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
  /**
   * The base of the document engine's own history, rewritten the same way
   * (see rewriteDocHistory); absent when the engine keeps no such document.
   */
  seq?: number;
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
   * Called once each document is rewritten (archive and stored history),
   * so live copies of it (open in a docs server) drop the text too.
   */
  onDocRewritten?: (rewrite: DocRewrite) => Promise<void>;
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
  const { deletion, state } = collapseDoc(bodies, personClients);
  return { deletion, snapshot: state };
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
 * wrote in is rewritten without their text (in the archive and in the
 * document engine's own history, see rewriteDocHistory), their live-class
 * chat messages lose their text, and segments are rewritten at once so the
 * text leaves object storage. What a legal hold covers is kept: records
 * under a hold, and whole documents any of whose history is under a hold
 * (rewriting them would change the evidence). The report says what was
 * kept, where and for which case.
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
  const outsideHolds = hits.filter((h) => !h.held);

  // Documents first, while the person's updates can still be read.
  const {
    names: rewritten,
    superseded,
    heldDocs,
  } = await rewriteDocuments(deps, person, outsideHolds, now);
  const inHeldDoc = (h: Hit) =>
    h.kind === 'doc.update' && h.subject !== null && heldDocs.has(docKey(h.space_id, h.subject));
  const erasable = outsideHolds.filter((h) => !inHeldDoc(h));

  const bySpace = new Map<string, Array<Pick<Hit, 'space_id' | 'seq' | 'content_hash'>>>();
  for (const h of [...erasable, ...superseded])
    bySpace.set(h.space_id, [...(bySpace.get(h.space_id) ?? []), h]);
  let erased = 0;
  for (const [space, rows] of bySpace) {
    for (let i = 0; i < rows.length; i += 1000) {
      erased += await tombstone(db, space, rows.slice(i, i + 1000), 'erasure', now);
    }
  }
  const chatMessagesErased = await eraseChatMessagesOf(db, person, now);
  // Named poll answers keep their count but lose who gave them and their text.
  const pollAnswersErased = await erasePollAnswersOf(db, person, now);
  // Marks drawn on presented PDFs (their traces went with the others above).
  await eraseMarksOf(db, person);
  // Shared files and the images placed in pads and boards: rows, then bytes.
  const files = [...(await eraseSpaceFilesOf(db, person)), ...(await eraseDocFilesOf(db, person))];
  for (const f of files) await deps.objects.delete(f.objectKey);
  await applyPendingRedactions(deps);
  await deps.drain?.();

  const kept = mergeKept(
    await keptUnderHold(
      db,
      hits.filter((h) => h.held),
    ),
    outsideHolds.filter(inHeldDoc).map((h) => ({
      space: h.space_id,
      reference: heldDocs.get(docKey(h.space_id, h.subject!))!,
    })),
  );
  const report: ErasureReport = {
    person,
    at: now.toISOString(),
    erased,
    documentsRewritten: rewritten,
    kept,
    chatMessagesErased,
    filesErased: files.length,
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
        details: {
          erased,
          documents: rewritten.length,
          chatMessages: chatMessagesErased,
          pollAnswers: pollAnswersErased,
          files: files.length,
          kept: kept.map((k) => ({ ...k })),
        },
      },
    );
  });
  deps.log.info(
    { erased, documents: rewritten.length, chatMessages: chatMessagesErased, kept: kept.length },
    'erasure done',
  );
  return report;
}

function docKey(space: string, docId: string) {
  return `${space}/${docId}`;
}

/**
 * Rewrites every document the person wrote in, outside holds: in the
 * archive (a new snapshot record, the person's updates tombstoned by the
 * caller) and in the document engine's stored history. Returns the
 * `space/doc` names rewritten, the archive's earlier snapshots now
 * superseded, and the documents kept whole because a hold covers some of
 * their history (with the covering case's reference).
 */
async function rewriteDocuments(
  deps: ErasureDeps,
  person: string,
  erasable: readonly Hit[],
  now: Date,
): Promise<{
  names: string[];
  superseded: Array<Pick<Hit, 'space_id' | 'seq' | 'content_hash'>>;
  heldDocs: Map<string, string>;
}> {
  const { db } = deps;
  const superseded: Array<Pick<Hit, 'space_id' | 'seq' | 'content_hash'>> = [];
  const heldDocs = new Map<string, string>();
  const docs = new Map<string, { space: string; docId: string }>();
  for (const h of erasable) {
    if (h.kind === 'doc.update' && h.subject && h.actor === person) {
      docs.set(docKey(h.space_id, h.subject), { space: h.space_id, docId: h.subject });
    }
  }
  // The document engine knows where the person wrote too (even where the archive no longer does).
  const authored = await db
    .selectFrom('doc_client as c')
    .innerJoin('doc as d', 'd.id', 'c.doc_id')
    .select(['d.id', 'd.space_id'])
    .distinct()
    .where('c.person_id', '=', person)
    .execute();
  for (const d of authored) docs.set(docKey(d.space_id, d.id), { space: d.space_id, docId: d.id });

  const reader = new SegmentReader(db, deps.objects);
  const names: string[] = [];
  for (const [name, { space, docId }] of docs) {
    const holding = await docHoldReference(db, space, docId);
    if (holding) {
      heldDocs.set(name, holding);
      continue;
    }
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
    // The engine's own history first: a hold placed meanwhile leaves everything as it was.
    const engine = await rewriteDocHistory(db, {
      docId,
      reason: 'erasure',
      eraseClients: clients,
      now,
    });
    if (!engine.ok && engine.why === 'held') {
      heldDocs.set(name, (await docHoldReference(db, space, docId)) ?? '?');
      continue;
    }
    const { deletion, snapshot } = eraseFromDocument(bodies, clients);
    if (bodies.length > 0) {
      await recordTrace(db, {
        actor: SYSTEM_ACTOR,
        kind: 'doc.update',
        space,
        subject: docId,
        at: now,
        payload: { rebase: true, reason: 'erasure', bytes: snapshot.byteLength },
        body: snapshot as Uint8Array<ArrayBuffer>,
      });
    }
    if (bodies.length === 0 && !engine.ok) continue;
    await deps.onDocRewritten?.({
      space,
      docId,
      deletion: engine.ok ? engine.deletion : deletion,
      snapshot,
      ...(engine.ok ? { seq: engine.seq } : {}),
    });
    superseded.push(...earlierSnapshots);
    names.push(name);
  }
  return { names, superseded, heldDocs };
}

/**
 * The reference of a case whose active hold covers any of a document's
 * history (its archived updates, or the updates the document engine
 * stores), or null when none does.
 */
async function docHoldReference(
  db: Kysely<Schema>,
  space: string,
  docId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('archive_hold as h')
    .innerJoin('archive_case as c', 'c.id', 'h.case_id')
    .select('c.reference')
    .where('h.lifted_at', 'is', null)
    .where(
      sql<boolean>`(
        EXISTS (
          SELECT 1 FROM archive_record r
          WHERE r.space_id = ${space} AND r.subject = ${docId} AND r.kind = 'doc.update'
            AND r.deleted_at IS NULL
            AND (h.space_id IS NULL OR h.space_id = r.space_id)
            AND (h.person_id IS NULL OR r.people @> ARRAY[h.person_id])
            AND (h.from_at IS NULL OR r.at >= h.from_at)
            AND (h.until_at IS NULL OR r.at <= h.until_at))
        OR EXISTS (
          SELECT 1 FROM doc_update u JOIN doc d ON d.id = u.doc_id
          WHERE u.doc_id = ${docId}
            AND (h.space_id IS NULL OR h.space_id = d.space_id)
            AND (h.person_id IS NULL OR h.person_id = u.author)
            AND (h.from_at IS NULL OR u.at >= h.from_at)
            AND (h.until_at IS NULL OR u.at <= h.until_at)))`,
    )
    .orderBy('h.placed_at')
    .limit(1)
    .executeTakeFirst();
  return row?.reference ?? null;
}

/** Adds the records kept with a held document to the kept list (same space and case: one entry). */
function mergeKept(
  kept: ErasureReport['kept'],
  more: ReadonlyArray<{ space: string; reference: string }>,
): ErasureReport['kept'] {
  const out = kept.map((k) => ({ ...k }));
  for (const m of more) {
    const entry = out.find((k) => k.space === m.space && k.caseReference === m.reference);
    if (entry) entry.records += 1;
    else out.push({ space: m.space, records: 1, reason: 'legal_hold', caseReference: m.reference });
  }
  return out;
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
  // Reports written before chat messages were counted have no such count.
  return rows.map((r) => {
    const report = r.report as Partial<ErasureReport> &
      Omit<ErasureReport, 'chatMessagesErased' | 'filesErased'>;
    return {
      ...report,
      chatMessagesErased: report.chatMessagesErased ?? 0,
      filesErased: report.filesErased ?? 0,
    };
  });
}

/** Audits a person downloading their own data. */
export async function auditOwnDownload(db: Kysely<Schema>, who: Auditor, records: number) {
  await appendAudit(db, who, { action: 'rights.download', details: { records } });
}
