import type {
  ArchiveSearch,
  AuditEntry,
  CaseView,
  CloseCase,
  ExportView,
  HoldView,
  OpenCase,
  PlaceHold,
  RecordView,
} from '@preau/protocol';
import { PreauError } from '@preau/protocol';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema';
import type { ObjectStore } from '../objects/ObjectStore';
import { type AuditCheck, type Auditor, appendAudit, latestAudit, verifyAuditLog } from './audit';
import { closeCase, getCase, liftHold, listCases, listHolds, openCase, placeHold } from './cases';
import type { DocRenderers } from './documents';
import { downloadExport, exportCase, listExports } from './exportCase';
import type { ArchiveSigner } from './keys';
import type { NameResolver } from './names';
import { cursorOf, findIndexHit, SegmentReader, searchIndex, viewRecords } from './search';

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

  /** Searches records; the query (not the results) is audited. */
  async search(
    who: Auditor,
    query: ArchiveSearch,
  ): Promise<{ records: RecordView[]; next: string | null }> {
    const hits = await searchIndex(this.deps.db, query);
    const records = await viewRecords(
      new SegmentReader(this.deps.db, this.deps.objects),
      this.deps.names,
      hits,
    );
    await appendAudit(this.deps.db, who, {
      action: 'search',
      details: {
        person: query.person ?? null,
        space: query.space ?? null,
        kind: query.kind ?? null,
        from: query.from?.toISOString() ?? null,
        to: query.to?.toISOString() ?? null,
        results: records.length,
      },
    });
    const last = hits.at(-1);
    return { records, next: last && hits.length === query.limit ? cursorOf(last) : null };
  }

  /** Reads one record in full; audited. */
  async read(who: Auditor, space: string, seq: number): Promise<RecordView> {
    const hit = await findIndexHit(this.deps.db, space, seq);
    if (!hit) throw new PreauError('not_found', 'no such archived record');
    const [record] = await viewRecords(
      new SegmentReader(this.deps.db, this.deps.objects),
      this.deps.names,
      [hit],
    );
    await appendAudit(this.deps.db, who, { action: 'read', details: { space, seq } });
    return record!;
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

  /** The audit log for the DPO, newest first, with the whole chain checked; the reading is audited. */
  async audit(
    who: Auditor,
    limit = 200,
  ): Promise<{ entries: AuditEntry[]; check: AuditCheck; names: Map<string, string> }> {
    await appendAudit(this.deps.db, who, { action: 'audit.read', details: { limit } });
    const [entries, check] = await Promise.all([
      latestAudit(this.deps.db, limit),
      verifyAuditLog(this.deps.db),
    ]);
    const names = await this.deps.names([...new Set(entries.map((e) => e.actor))]);
    return { entries, check, names };
  }
}
