import {
  DEFAULT_RETENTION_DAYS,
  FALLBACK_RETENTION_DAYS,
  parseSpaceId,
  type RetentionRule,
  type RetentionRuleKey,
  type TraceKind,
} from '@preau/protocol';
// Retention: what is kept, for how long, and what a sweep deletes.
//
// One policy per kind of trace (DEFAULT_RETENTION_DAYS, overridden per
// school or for the platform in archive_retention) governs the archive and
// the live tables alike:
// - archive records past their kind's retention lose their content (a
//   tombstone keeps the chain verifiable; segments are rewritten);
// - a pad's or board's stored history follows `doc.update`: the versions
//   older than the cutoff are merged into one garbage-collected version
//   (the document itself is intact; text deleted before the cutoff is gone;
//   later versions stay browsable);
// - live-class chat follows `chat.message`: an expired message keeps its
//   row and time, its text and author are blanked ("message effacé"); a
//   space's chat outside sessions is the same table and follows the same;
// - files shared in a space follow `file.added`: expired rows and their
//   bytes are removed.
// A legal hold suspends all of it for what it covers (space, person,
// period): held records keep their content, a document any of whose
// expired versions is held keeps its whole history, held messages their
// text. Tombstones are never swept.
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { expireChatMessages } from '../classroom/chat';
import type { Schema } from '../db/schema';
import { expireDocFiles } from '../docs/fileRetention';
import { expireDocHistories } from '../docs/history';
import type { ObjectStore } from '../objects/ObjectStore';
import { expirePolls } from '../polls/polls';
import { expireSpaceFiles } from '../spaceContent/files';
import { recordTrace } from '../trace/recordTrace';
import { type Auditor, appendAudit } from './audit';
import { heldCondition } from './cases';
import type { ArchiveSigner } from './keys';
import { applyPendingRedactions } from './redaction';

/** The person id that system acts (sweeps, tombstones) are recorded under. */
export const SYSTEM_ACTOR = 'system';

const DAY_MS = 86_400_000;

/** Every rule set in the database (platform `*` and per school). */
export async function retentionRules(db: Kysely<Schema>): Promise<RetentionRule[]> {
  const rows = await db.selectFrom('archive_retention').select(['scope', 'kind', 'days']).execute();
  return rows.map((r) => ({ scope: r.scope, kind: r.kind as TraceKind, days: r.days }));
}

/** Sets a rule (a school's, or the platform's with scope `*`); audited. */
export async function setRetention(
  db: Kysely<Schema>,
  who: Auditor,
  rule: RetentionRule,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('archive_retention')
      .values({ scope: rule.scope, kind: rule.kind, days: rule.days, updated_by: who.id })
      .onConflict((oc) =>
        oc
          .columns(['scope', 'kind'])
          .doUpdateSet({ days: rule.days, updated_by: who.id, updated_at: new Date() }),
      )
      .execute();
    await appendAudit(tx, who, { action: 'retention.set', details: { ...rule } });
  });
}

/**
 * Removes a rule, so the next one down applies again (a school's: the
 * platform's or the default; the platform's: the default); audited. False
 * when there was no such rule (nothing changed, nothing audited).
 */
export async function removeRetention(
  db: Kysely<Schema>,
  who: Auditor,
  key: RetentionRuleKey,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const removed = await tx
      .deleteFrom('archive_retention')
      .where('scope', '=', key.scope)
      .where('kind', '=', key.kind)
      .returning('days')
      .executeTakeFirst();
    if (!removed) return false;
    await appendAudit(tx, who, {
      action: 'retention.remove',
      details: { scope: key.scope, kind: key.kind, days: removed.days },
    });
    return true;
  });
}

/** Days a kind is kept in a school: its rule, else the platform's, else the documented default. */
export function retentionDays(
  rules: readonly RetentionRule[],
  school: string | null,
  kind: string,
): number {
  const pick = (scope: string) => rules.find((r) => r.scope === scope && r.kind === kind)?.days;
  return (
    (school ? pick(school) : undefined) ??
    pick('*') ??
    DEFAULT_RETENTION_DAYS[kind as TraceKind] ??
    FALLBACK_RETENTION_DAYS
  );
}

/** The school (UAI) a space belongs to, from the directory; null when unknown. */
export function directorySchools(db: Kysely<Schema>): (space: string) => Promise<string | null> {
  return async (space) => {
    const parsed = parseSpaceId(space);
    if (parsed?.kind !== 'class') return null;
    const row = await db
      .selectFrom('class')
      .select('uai')
      .where('id', '=', parsed.ownerId)
      .executeTakeFirst();
    return row?.uai ?? null;
  };
}

/** What one sweep did. */
export interface SweepReport {
  deleted: number;
  /** Records past their retention but kept because a legal hold covers them. */
  held: number;
  spaces: string[];
  /** The live tables (see the top of this file). */
  live: {
    /** Document histories whose expired versions were merged. */
    documents: number;
    /** Document histories with expired versions kept by a hold. */
    heldDocuments: number;
    /** Chat messages whose text was blanked. */
    chatMessages: number;
    /** Expired chat messages kept by a hold. */
    heldChatMessages: number;
    /** Files shared in spaces removed with their bytes. */
    files: number;
    /** Expired files kept by a hold. */
    heldFiles: number;
    /** Live polls removed with their answers (under `poll.answered`). */
    polls: number;
    /** Expired polls kept by a hold. */
    heldPolls: number;
    /** Images of pads and boards removed with their bytes (no longer shown, past the document's retention). */
    docImages: number;
    /** Such images kept by a hold. */
    heldDocImages: number;
  };
}

/**
 * Deletes the content of archived records past their retention, except
 * under a legal hold: per space, one transaction appends an
 * `archive.redacted` tombstone listing each deleted record's content hash,
 * marks the index rows, and flags their segments; the segments are then
 * rewritten without the contents and their manifests re-signed (the chain
 * still verifies through the content hashes). Tombstones are never swept.
 * The live tables' document history and chat text follow (sweepLiveTables).
 */
export async function sweepRetention(deps: {
  db: Kysely<Schema>;
  objects: ObjectStore;
  signer: ArchiveSigner;
  log: Logger;
  schoolOf?: (space: string) => Promise<string | null>;
  now?: Date;
  batch?: number;
}): Promise<SweepReport> {
  const { db } = deps;
  const now = deps.now ?? new Date();
  const rules = await retentionRules(db);
  const shortest = Math.min(
    ...rules.map((r) => r.days),
    ...Object.values(DEFAULT_RETENTION_DAYS),
    FALLBACK_RETENTION_DAYS,
  );
  const candidates = await db
    .selectFrom('archive_record as r')
    .select(['r.space_id', 'r.seq', 'r.kind', 'r.at', 'r.content_hash', 'r.segment_first'])
    .select(heldCondition('r').as('held'))
    .where('r.deleted_at', 'is', null)
    .where('r.kind', '<>', 'archive.redacted')
    .where('r.at', '<', new Date(now.getTime() - shortest * DAY_MS))
    .orderBy('r.space_id')
    .orderBy('r.seq')
    .limit(deps.batch ?? 20_000)
    .execute();
  const schools = new Map<string, string | null>();
  const schoolOf = deps.schoolOf ?? directorySchools(db);
  const expired = new Map<string, typeof candidates>();
  let held = 0;
  for (const row of candidates) {
    if (!schools.has(row.space_id)) schools.set(row.space_id, await schoolOf(row.space_id));
    const days = retentionDays(rules, schools.get(row.space_id) ?? null, row.kind);
    if (new Date(row.at).getTime() >= now.getTime() - days * DAY_MS) continue;
    if (row.held) {
      held += 1;
      continue;
    }
    expired.set(row.space_id, [...(expired.get(row.space_id) ?? []), row]);
  }
  let deleted = 0;
  for (const [space, rows] of expired) {
    for (let i = 0; i < rows.length; i += 1000) {
      deleted += await tombstone(db, space, rows.slice(i, i + 1000), 'retention', now);
    }
  }
  await applyPendingRedactions({ db, objects: deps.objects, signer: deps.signer, log: deps.log });
  const live = await sweepLiveTables(
    db,
    deps.objects,
    rules,
    async (space) => {
      if (!schools.has(space)) schools.set(space, await schoolOf(space));
      return schools.get(space) ?? null;
    },
    now,
  );
  const report: SweepReport = { deleted, held, spaces: [...expired.keys()], live };
  if (deleted > 0 || held > 0 || Object.values(live).some((n) => n > 0)) {
    await appendAudit(
      db,
      { id: SYSTEM_ACTOR, role: 'system' },
      { action: 'retention.sweep', details: { ...report } },
    );
    deps.log.info(report, 'retention sweep');
  }
  return report;
}

/**
 * The live tables' part of a sweep: expired document history merged,
 * expired chat text blanked, each under its kind's retention in its space's
 * school, holds honoured (see the top of this file).
 */
async function sweepLiveTables(
  db: Kysely<Schema>,
  objects: ObjectStore,
  rules: readonly RetentionRule[],
  schoolOf: (space: string) => Promise<string | null>,
  now: Date,
): Promise<SweepReport['live']> {
  const cutoffOf = (kind: TraceKind) => async (space: string) =>
    new Date(now.getTime() - retentionDays(rules, await schoolOf(space), kind) * DAY_MS);
  // No space's cutoff for a kind is later than the one its shortest rule gives.
  const before = (kind: TraceKind) =>
    new Date(
      now.getTime() -
        Math.min(
          ...rules.filter((r) => r.kind === kind).map((r) => r.days),
          DEFAULT_RETENTION_DAYS[kind] ?? FALLBACK_RETENTION_DAYS,
        ) *
          DAY_MS,
    );
  const docs = await expireDocHistories(db, {
    before: before('doc.update'),
    cutoffOf: cutoffOf('doc.update'),
    now,
  });
  const chat = await expireChatMessages(db, {
    before: before('chat.message'),
    cutoffOf: cutoffOf('chat.message'),
    now,
  });
  // Files follow `file.added`: rows first, then their bytes.
  const files = await expireSpaceFiles(db, {
    before: before('file.added'),
    cutoffOf: cutoffOf('file.added'),
  });
  for (const f of files.removed) await objects.delete(f.objectKey);
  const polls = await expirePolls(db, {
    before: before('poll.answered'),
    cutoffOf: cutoffOf('poll.answered'),
  });
  // Images of pads and boards follow their document's history (`doc.update`).
  const images = await expireDocFiles(db, {
    before: before('doc.update'),
    cutoffOf: cutoffOf('doc.update'),
  });
  for (const f of images.removed) await objects.delete(f.objectKey);
  return {
    polls: polls.removed,
    heldPolls: polls.held,
    documents: docs.rewritten,
    heldDocuments: docs.held,
    chatMessages: chat.erased,
    heldChatMessages: chat.held,
    files: files.removed.length,
    heldFiles: files.held,
    docImages: images.removed.length,
    heldDocImages: images.held,
  };
}

/**
 * In one transaction: the tombstone record, the index rows marked deleted
 * (their people forgotten), their segments flagged for rewriting. Rows a
 * hold started covering meanwhile are left alone (checked again here).
 */
export async function tombstone(
  db: Kysely<Schema>,
  space: string,
  rows: ReadonlyArray<{ seq: number | string; content_hash: string }>,
  reason: 'retention' | 'erasure',
  now: Date,
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const seqs = rows.map((r) => Number(r.seq));
    const still = await tx
      .selectFrom('archive_record as r')
      .select(['r.seq', 'r.content_hash', 'r.segment_first'])
      .where('r.space_id', '=', space)
      .where('r.seq', 'in', seqs)
      .where('r.deleted_at', 'is', null)
      .where(sql<boolean>`NOT ${heldCondition('r')}`)
      .orderBy('r.seq')
      .forUpdate()
      .execute();
    if (still.length === 0) return 0;
    const mark = await recordTrace(tx, {
      actor: SYSTEM_ACTOR,
      kind: 'archive.redacted',
      space,
      at: now,
      payload: {
        reason,
        records: still.map((r) => ({ seq: Number(r.seq), contentHash: r.content_hash })),
      },
    });
    await tx
      .updateTable('archive_record')
      .set({
        deleted_at: now,
        deleted_reason: reason,
        tombstone_seq: mark.seq,
        actor: null,
        people: [],
      })
      .where('space_id', '=', space)
      .where(
        'seq',
        'in',
        still.map((r) => Number(r.seq)),
      )
      .execute();
    await tx
      .updateTable('archive_segment')
      .set({ redaction_pending: true })
      .where('space_id', '=', space)
      .where('first_seq', 'in', [...new Set(still.map((r) => Number(r.segment_first)))])
      .execute();
    return still.length;
  });
}
