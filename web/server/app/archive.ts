import {
  type ArchiveSearch,
  type AuditQuery,
  type CloseCase,
  DEFAULT_RETENTION_DAYS,
  type DirectoryQuery,
  FALLBACK_RETENTION_DAYS,
  type OpenCase,
  type PersonLabel,
  type PlaceHold,
  PreauError,
  type RetentionRule,
  type RetentionRuleKey,
  type SpaceLabel,
  TraceKind,
} from '@preau/protocol';
import { type DocRenderers, fullRenderers } from '@preau/protocol/docs-model';
import type { Logger } from '@preau/protocol/server';
import {
  ArchiveDesk,
  Archiver,
  type Auditor,
  archivePublicKeys,
  directoryNames,
  keyFingerprint,
  listSchools,
  loadArchiveSigner,
  type ObjectStore,
  parisDay,
  personByIdOrLogin,
  removeRetention,
  retentionDays,
  retentionRules,
  type Schema,
  type SegmentMax,
  setRetention,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import { type Caller, requirePlatformRole } from './roles';

/** Documents in bundles and downloads are drawn by the document model's full renderers. */
export const RENDERERS: DocRenderers = fullRenderers;

/** What a name chooser's field gave: an id chosen, or the typed text and what it matches. */
export interface Picked {
  /** The chosen id (from the list, or the only match of the typed text). */
  id?: string;
  /** The typed text, when it matched nothing or several (then `candidates` lists them). */
  text?: string;
  candidates: (SpaceLabel | PersonLabel)[];
}

/** What the archive service works with. */
export interface ArchiveDeps {
  db: Kysely<Schema>;
  objects: ObjectStore;
  log: Logger;
  /** Records per segment when an export first archives what is left (the background archiver's). */
  segmentMax?: SegmentMax;
}

/** Who acts, as the audit log records them. */
function auditor(user: { id: string }, role: Auditor['role']): Auditor {
  return { id: user.id, role };
}

/**
 * The archivist's, the DPO's and the retention admin's operations: search
 * and reading of records, cases, holds, exports, the audit log, the public
 * keys and the retention rules. Each method checks the platform role it
 * needs, then acts; the desk writes each act to the audit log with it.
 */
export class ArchiveService {
  readonly #db: Kysely<Schema>;
  readonly #desk: ArchiveDesk;

  constructor(deps: ArchiveDeps) {
    const { db, objects, log, segmentMax } = deps;
    this.#db = db;
    this.#desk = new ArchiveDesk({
      db,
      objects,
      signer: () => loadArchiveSigner(db),
      names: directoryNames(db),
      renderers: RENDERERS,
      // An export first archives what is still in the outbox; the background
      // archiver may hold a space meanwhile: leases keep the two apart.
      drain: async () =>
        new Archiver({
          db,
          objects,
          signer: await loadArchiveSigner(db),
          log: log.child({ module: 'archive-export' }),
          ...(segmentMax ? { segmentMax } : {}),
        }).drain(),
    });
  }

  #archivist(user: Caller) {
    return auditor(requirePlatformRole(user, 'archivist'), 'archivist');
  }

  /** Records found by space, person, kind and period, made readable; archivists; audited. */
  search(user: Caller, query: ArchiveSearch) {
    return this.#desk.search(this.#archivist(user), query);
  }

  /** One record in full; archivists; audited. */
  read(user: Caller, space: string, seq: number) {
    const who = this.#archivist(user);
    if (!Number.isSafeInteger(seq) || seq < 1) throw new PreauError('not_found', 'no such record');
    return this.#desk.read(who, space, seq);
  }

  /** Spaces (classes, groups, projects) and people whose names match; archivists and the DPO. */
  find(user: Caller, query: DirectoryQuery) {
    requirePlatformRole(user, 'archivist', 'dpo');
    return this.#desk.find(query);
  }

  /** Spaces and people named for a page; archivists and the DPO. */
  labels(user: Caller, spaceIds: readonly string[], personIds: readonly string[]) {
    requirePlatformRole(user, 'archivist', 'dpo');
    return this.#desk.labels(spaceIds, personIds);
  }

  /**
   * The id a name chooser sent, or, without scripts, what the typed text
   * matches: its only match is taken, several are offered.
   */
  async pick(
    user: Caller,
    kind: 'space' | 'person',
    id: string | undefined,
    text: string | undefined,
  ): Promise<Picked> {
    requirePlatformRole(user, 'archivist', 'dpo');
    if (id) return { id, candidates: [] };
    const q = text?.trim();
    if (!q) return { candidates: [] };
    const found = await this.#desk.find({ q: q.slice(0, 80), kind, limit: 20 });
    const list = kind === 'space' ? found.spaces : found.persons;
    return list.length === 1 ? { id: list[0]!.id, candidates: [] } : { text: q, candidates: list };
  }

  /** The pseudonymous id of a person given by id or by login (old links carry logins). */
  async resolvePerson(
    user: Caller,
    text: string | undefined,
  ): Promise<{ id: string | undefined; known: boolean }> {
    requirePlatformRole(user, 'archivist', 'dpo');
    if (!text) return { id: undefined, known: true };
    const id = await personByIdOrLogin(this.#db, text);
    return id ? { id, known: true } : { id: text, known: false };
  }

  /** Every case; archivists and the DPO. */
  listCases(user: Caller) {
    requirePlatformRole(user, 'archivist', 'dpo');
    return this.#desk.listCases();
  }

  /** A case with its holds and exports; archivists. */
  caseFile(user: Caller, caseId: string) {
    requirePlatformRole(user, 'archivist');
    return this.#desk.caseFile(caseId);
  }

  /**
   * A case file for its page: who acted and what the holds cover, by name,
   * and the closing form's date bounds (the day it opened, today, in Paris).
   */
  async casePage(user: Caller, caseId: string) {
    const file = await this.caseFile(user, caseId);
    const people = [
      file.case.openedBy,
      file.case.closedBy,
      ...file.exports.map((e) => e.createdBy),
    ];
    for (const h of file.holds) people.push(h.placedBy, h.liftedBy, h.person);
    const labels = await this.#desk.labels(
      file.holds.flatMap((h) => (h.space ? [h.space] : [])),
      people.filter((p): p is string => typeof p === 'string'),
    );
    return {
      file,
      people: Object.fromEntries(labels.persons),
      spaces: Object.fromEntries(labels.spaces),
      today: parisDay(new Date()),
      openedOn: parisDay(new Date(file.case.openedAt)),
    };
  }

  /** Opens a case; archivists; audited. */
  openCase(user: Caller, input: OpenCase) {
    return this.#desk.openCase(this.#archivist(user), input);
  }

  /** Places a legal hold; archivists; audited. */
  placeHold(user: Caller, caseId: string, input: PlaceHold) {
    return this.#desk.placeHold(this.#archivist(user), caseId, input);
  }

  /** Lifts a hold; archivists; audited. */
  liftHold(user: Caller, caseId: string, holdId: string, reason: string) {
    return this.#desk.liftHold(this.#archivist(user), caseId, holdId, reason);
  }

  /** Closes a case and lifts its active holds; archivists; audited. */
  closeCase(user: Caller, caseId: string, input: CloseCase) {
    return this.#desk.closeCase(this.#archivist(user), caseId, input);
  }

  /** Builds a sealed evidence bundle; archivists; audited. */
  export(user: Caller, caseId: string, moments: Date[]) {
    return this.#desk.export(this.#archivist(user), caseId, moments);
  }

  /** An export's zip; archivists; audited as a download. */
  download(user: Caller, caseId: string, exportId: string) {
    return this.#desk.download(this.#archivist(user), caseId, exportId);
  }

  /** A page of the audit log with its chain checked; the DPO; audited. */
  audit(user: Caller, query: AuditQuery) {
    return this.#desk.audit(auditor(requirePlatformRole(user, 'dpo'), 'dpo'), query);
  }

  /** The archive's public keys (retired ones too) with their fingerprints; public. */
  async publicKeys() {
    return (await archivePublicKeys(this.#db)).map((key) => ({
      ...key,
      fingerprint: keyFingerprint(key),
    }));
  }

  /** The retention rules set; admins and the DPO. */
  retentionRules(user: Caller) {
    requirePlatformRole(user, 'admin', 'dpo');
    return retentionRules(this.#db);
  }

  /** The defaults by kind and the rules set; admins and the DPO. */
  async retention(user: Caller) {
    return { defaults: DEFAULT_RETENTION_DAYS, rules: await this.retentionRules(user) };
  }

  /**
   * Retention per kind of trace for the admin's page: the documented
   * defaults, the platform's rules and each school's; admins.
   */
  async retentionOverview(user: Caller) {
    requirePlatformRole(user, 'admin');
    const [rules, schools] = [await retentionRules(this.#db), await listSchools(this.#db)];
    const kinds = TraceKind.options.map((kind) => ({
      kind,
      defaultDays: DEFAULT_RETENTION_DAYS[kind] ?? FALLBACK_RETENTION_DAYS,
      platformDays: rules.find((r) => r.scope === '*' && r.kind === kind)?.days ?? null,
      /** What applies in a school without a rule of its own. */
      days: retentionDays(rules, null, kind),
    }));
    const names = new Map(schools.map((s) => [s.uai, s.name]));
    const scopes = [...new Set(rules.filter((r) => r.scope !== '*').map((r) => r.scope))].sort();
    return {
      kinds,
      schools: schools.map((s) => ({ uai: s.uai, name: s.name })),
      overrides: scopes.map((uai) => ({
        uai,
        name: names.get(uai) ?? null,
        rules: rules
          .filter((r) => r.scope === uai)
          .sort((a, b) => a.kind.localeCompare(b.kind))
          .map((r) => ({
            kind: r.kind,
            days: r.days,
            otherwise: retentionDays(rules, null, r.kind),
          })),
      })),
    };
  }

  /** Sets a retention rule (`*` or a school's UAI); admins; audited. */
  async setRetention(user: Caller, rule: RetentionRule): Promise<RetentionRule> {
    const admin = requirePlatformRole(user, 'admin');
    await setRetention(this.#db, auditor(admin, 'admin'), rule);
    return rule;
  }

  /** Removes a rule (the next one down applies again); admins; audited; `not_found` if absent. */
  async removeRetention(user: Caller, key: RetentionRuleKey): Promise<RetentionRuleKey> {
    const admin = requirePlatformRole(user, 'admin');
    if (!(await removeRetention(this.#db, auditor(admin, 'admin'), key)))
      throw new PreauError('not_found', 'no such rule');
    return key;
  }
}
