import type {
  ArchiveSearch,
  AuditEntry,
  AuditQuery,
  CaseView,
  CloseCase,
  DirectoryMatches,
  DirectoryQuery,
  ExportView,
  HoldView,
  OpenCase,
  PersonLabel,
  PlaceHold,
  RecordView,
  SpaceLabel,
} from '@preau/protocol';
import { PreauError } from '@preau/protocol';
import type { DocRenderers } from '@preau/protocol/docs-model';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import type { ObjectStore } from '../objects/ObjectStore';
import { type AuditCheck, type Auditor, appendAudit, verifyAuditLog } from './audit';
import { queryAudit } from './auditQuery';
import { closeCase, getCase, liftHold, listCases, listHolds, openCase, placeHold } from './cases';
import { findPersons, findSpaces, personLabels, spaceLabels } from './directoryFind';
import { describeDocUpdates } from './docChanges';
import { downloadExport, exportCase, listExports } from './exportCase';
import type { ArchiveSigner } from './keys';
import type { NameResolver } from './names';
import { pendingMatching } from './pending';
import {
  cursorOf,
  findIndexHit,
  type IndexHit,
  SegmentReader,
  searchIndex,
  viewRecords,
} from './search';

/** What the desk works with. */
export interface DeskDeps {
  db: Kysely<Schema>;
  objects: ObjectStore;
  signer: () => Promise<ArchiveSigner>;
  names: NameResolver;
  renderers?: DocRenderers;
  drain?: () => Promise<unknown>;
}

/**
 * The archivist's and DPO's operations, each written to the audit log with
 * the act (in the same transaction where the act writes). Pages and API
 * routes check the role, then call this; nothing here trusts the caller's
 * role beyond recording it.
 */
export class ArchiveDesk {
  constructor(private readonly deps: DeskDeps) {}

  /**
   * Searches records, made readable: people and spaces named from the
   * directory now, and what each document update changed. The query is
   * audited with the people whose names were shown (not the content).
   * `pending` counts the acts matching it that are still waiting in the
   * trace outbox (recorded, not yet archived, so not among the records).
   */
  async search(
    who: Auditor,
    query: ArchiveSearch,
  ): Promise<{ records: RecordView[]; next: string | null; pending: number }> {
    const hits = await searchIndex(this.deps.db, query);
    const pending = await pendingMatching(this.deps.db, query);
    const records = await this.#readable(hits);
    await appendAudit(this.deps.db, who, {
      action: 'search',
      details: {
        person: query.person ?? null,
        space: query.space ?? null,
        kind: query.kind ?? null,
        from: query.from?.toISOString() ?? null,
        to: query.to?.toISOString() ?? null,
        results: records.length,
        namesResolved: namesShown(records),
      },
    });
    const last = hits.at(-1);
    return {
      records,
      next: last && hits.length === query.limit ? cursorOf(last) : null,
      pending,
    };
  }

  /** Reads one record in full, made readable as in a search; audited with the names shown. */
  async read(who: Auditor, space: string, seq: number): Promise<RecordView> {
    const hit = await findIndexHit(this.deps.db, space, seq);
    if (!hit) throw new PreauError('not_found', 'no such archived record');
    const [record] = await this.#readable([hit]);
    await appendAudit(this.deps.db, who, {
      action: 'read',
      details: { space, seq, namesResolved: namesShown([record!]) },
    });
    return record!;
  }

  /** Records with content, names, space labels and document changes. */
  async #readable(hits: readonly IndexHit[]): Promise<RecordView[]> {
    const reader = new SegmentReader(this.deps.db, this.deps.objects);
    const [records, spaces, changes] = await Promise.all([
      viewRecords(reader, this.deps.names, hits),
      spaceLabels(
        this.deps.db,
        hits.map((h) => h.space),
      ),
      describeDocUpdates(this.deps.db, reader, hits),
    ]);
    return records.map((r) => ({
      ...r,
      spaceLabel: spaces.get(r.space) ?? null,
      change: changes.get(`${r.space}:${r.seq}`) ?? null,
    }));
  }

  /**
   * Spaces and people whose names match what the archivist types, to
   * choose from. Not audited: it reads the directory, not the traces.
   */
  async find(query: DirectoryQuery): Promise<DirectoryMatches> {
    const { db } = this.deps;
    const [spaces, persons] = await Promise.all([
      query.kind === 'person' ? [] : findSpaces(db, query.q, query.limit),
      query.kind === 'space' ? [] : findPersons(db, query.q, query.limit),
    ]);
    return { spaces, persons };
  }

  /** Spaces and people named for a page (what a search or a hold is about). */
  async labels(
    spaceIds: readonly string[],
    personIds: readonly string[],
  ): Promise<{ spaces: Map<string, SpaceLabel>; persons: Map<string, PersonLabel> }> {
    const [spaces, persons] = await Promise.all([
      spaceLabels(this.deps.db, spaceIds),
      personLabels(this.deps.db, personIds),
    ]);
    return { spaces, persons };
  }

  /** Opens a case; audited. */
  openCase(who: Auditor, input: OpenCase): Promise<CaseView> {
    return openCase(this.deps.db, who, input);
  }

  /** Every case (listing is not an access to traces; not audited). */
  listCases(): Promise<CaseView[]> {
    return listCases(this.deps.db);
  }

  /** A case with its holds and exports. */
  async caseFile(
    caseId: string,
  ): Promise<{ case: CaseView; holds: HoldView[]; exports: ExportView[] }> {
    const [kase, holds, exports] = await Promise.all([
      getCase(this.deps.db, caseId),
      listHolds(this.deps.db, caseId),
      listExports(this.deps.db, caseId),
    ]);
    return { case: kase, holds, exports };
  }

  /** Places a hold; audited. */
  placeHold(who: Auditor, caseId: string, input: PlaceHold): Promise<HoldView> {
    return placeHold(this.deps.db, who, caseId, input);
  }

  /** Lifts a hold; audited. */
  liftHold(who: Auditor, caseId: string, holdId: string, reason: string): Promise<HoldView> {
    return liftHold(this.deps.db, who, caseId, holdId, reason);
  }

  /** Closes a case, lifting its active holds; audited. */
  closeCase(
    who: Auditor,
    caseId: string,
    input: CloseCase,
  ): Promise<{ case: CaseView; holdsLifted: HoldView[] }> {
    return closeCase(this.deps.db, who, caseId, input);
  }

  /** Exports a sealed bundle; audited (before building, so the bundle's custody log has it). */
  async export(
    who: Auditor,
    caseId: string,
    moments: Date[],
  ): Promise<{ view: ExportView; bytes: Uint8Array }> {
    return exportCase(
      {
        db: this.deps.db,
        objects: this.deps.objects,
        signer: await this.deps.signer(),
        names: this.deps.names,
        renderers: this.deps.renderers,
        drain: this.deps.drain,
      },
      who,
      caseId,
      { moments },
    );
  }

  /** Downloads an export's zip; audited. */
  download(who: Auditor, caseId: string, exportId: string) {
    return downloadExport(this.deps.db, this.deps.objects, who, caseId, exportId);
  }

  /**
   * A page of the audit log for the DPO, newest first, filtered, with the
   * whole chain checked and the people and spaces it names resolved; the
   * reading (and its filters) is audited first, so it shows on the page.
   */
  async audit(
    who: Auditor,
    query: AuditQuery,
  ): Promise<{
    entries: AuditEntry[];
    older: number | null;
    newer: number | null;
    check: AuditCheck;
    names: Map<string, string>;
    spaces: Map<string, SpaceLabel>;
  }> {
    const { before, after, limit, ...filters } = query;
    await appendAudit(this.deps.db, who, {
      action: 'audit.read',
      details: {
        ...Object.fromEntries(
          Object.entries(filters)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
        ),
        limit,
      },
    });
    const [page, check] = await Promise.all([
      queryAudit(this.deps.db, query),
      verifyAuditLog(this.deps.db),
    ]);
    const people = new Set<string>();
    const spaceIds = new Set<string>();
    for (const e of page.entries) {
      people.add(e.actor);
      for (const id of peopleIn(e.details)) people.add(id);
      if (typeof e.details.space === 'string') spaceIds.add(e.details.space);
      if (Array.isArray(e.details.spaces))
        for (const id of e.details.spaces) if (typeof id === 'string') spaceIds.add(id);
    }
    const [names, spaces] = await Promise.all([
      this.deps.names([...people]),
      spaceLabels(this.deps.db, [...spaceIds]),
    ]);
    return { ...page, check, names, spaces };
  }
}

/** The people whose names a reading showed: authors and people acted upon. */
function namesShown(records: readonly RecordView[]): string[] {
  const ids = new Set<string>();
  for (const r of records) {
    if (r.actor && r.actorName !== null) ids.add(r.actor);
    for (const [key, named] of [
      ['target', 'targetName'],
      ['person', 'personName'],
    ] as const) {
      const id = r.payload?.[key];
      if (typeof id === 'string' && typeof r.payload?.[named] === 'string') ids.add(id);
    }
  }
  return [...ids].sort();
}

/** The people an audit entry's details name (searched for, held, shown, filtered on). */
export function peopleIn(details: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ['person', 'actor', 'concerning']) {
    const id = details[key];
    if (typeof id === 'string') out.push(id);
  }
  if (Array.isArray(details.namesResolved))
    for (const id of details.namesResolved) if (typeof id === 'string') out.push(id);
  return out;
}
