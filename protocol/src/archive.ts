import { z } from 'zod';
import { DocChange, SpaceLabel } from './archiveReading';
import { Id, PersonId, SpaceId } from './ids';
import { TraceKind } from './trace';

// Wire schemas of the trace archive: segment lines and their signed
// manifests, the archivist's cases, holds, searches and exports, the audit
// log and people's rights. The record format is what the offline verifier
// reads, so it is the contract of every evidence bundle ever exported.

/** Version of the record and manifest formats written in segments. */
export const ARCHIVE_FORMAT = 1;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex');
const IsoDate = z.iso.datetime({ offset: true });

/** The hash a space's first record points back to. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the content hash of a record covers; deleted whole when it expires or is erased. */
export const RecordContent = z.object({
  actor: PersonId,
  subject: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  /** The binary body (a Yjs update) in standard base64, or null. */
  body: z.string().nullable(),
  /** Random bytes (base64) so a deleted short content cannot be guessed from its hash. */
  salt: z.string(),
});
export type RecordContent = z.infer<typeof RecordContent>;

/** Why a record's content was removed, and which tombstone record says so. */
export const Redaction = z.object({
  reason: z.enum(['retention', 'erasure']),
  at: IsoDate,
  /** The sequence number of the `archive.redacted` record that lists this deletion. */
  tombstone: z.number().int().positive(),
});
export type Redaction = z.infer<typeof Redaction>;

/**
 * One line of a segment (JSON Lines). `hash` is the SHA-256 of the canonical
 * encoding of `{ v, space, seq, kind, at, prev, contentHash }`; `contentHash`
 * the SHA-256 of the canonical encoding of `content`. Deleting the content
 * keeps `contentHash`, so the chain still verifies.
 */
export const ArchiveLine = z.object({
  v: z.literal(ARCHIVE_FORMAT),
  space: SpaceId,
  seq: z.number().int().positive(),
  kind: z.string(),
  at: IsoDate,
  prev: Sha256Hex,
  contentHash: Sha256Hex,
  content: RecordContent.nullable(),
  redaction: Redaction.optional(),
  hash: Sha256Hex,
});
export type ArchiveLine = z.infer<typeof ArchiveLine>;

/** What a segment's manifest states; signed as its canonical encoding. */
export const SegmentManifest = z.object({
  v: z.literal(ARCHIVE_FORMAT),
  space: SpaceId,
  firstSeq: z.number().int().positive(),
  lastSeq: z.number().int().positive(),
  count: z.number().int().positive(),
  /** The hash of the record before `firstSeq` (GENESIS_HASH for the first). */
  prevHash: Sha256Hex,
  lastHash: Sha256Hex,
  firstAt: IsoDate,
  lastAt: IsoDate,
  segment: z.object({ key: z.string(), sha256: Sha256Hex, size: z.number().int().nonnegative() }),
  /** 1 when written; +1 each time the segment is rewritten with deletions. */
  revision: z.number().int().positive(),
  redacted: z.array(z.number().int().positive()),
  sealedAt: IsoDate,
});
export type SegmentManifest = z.infer<typeof SegmentManifest>;

/** An Ed25519 signature over the canonical encoding of a document, with the key's id. */
export const Signature = z.object({
  alg: z.literal('Ed25519'),
  kid: z.string().min(1),
  /** base64url */
  value: z.string().min(1),
});
export type Signature = z.infer<typeof Signature>;

/** The `.manifest.json` object stored beside a segment. */
export const SignedManifest = z.object({ manifest: SegmentManifest, signature: Signature });
export type SignedManifest = z.infer<typeof SignedManifest>;

/** An archive public key as published (JWK, OKP/Ed25519). */
export const ArchivePublicKey = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  kid: z.string(),
  alg: z.literal('EdDSA').optional(),
  use: z.literal('sig').optional(),
});
export type ArchivePublicKey = z.infer<typeof ArchivePublicKey>;

/**
 * Retention by kind, in days, when neither the platform nor a school set
 * another value. Reasons: documents and messages are the work of a school
 * year, kept one more year for a dispute; presence and moderation are
 * connection traces, kept one year (the usual French rule for such logs);
 * membership changes and reports serve disputes longest; deletions'
 * tombstones are kept as long as the chain that they explain.
 */
export const DEFAULT_RETENTION_DAYS: Partial<Record<TraceKind, number>> = {
  'doc.update': 730,
  'doc.created': 730,
  'doc.renamed': 730,
  'doc.archived': 730,
  'doc.restored': 730,
  'doc.file.added': 730,
  'chat.message': 730,
  'chat.edited': 730,
  'chat.deleted': 730,
  'session.started': 365,
  'session.ended': 365,
  'session.joined': 365,
  'session.left': 365,
  'session.moderation': 365,
  'poll.created': 365,
  'poll.answered': 365,
  'poll.closed': 365,
  'poll.published': 365,
  'breakout.opened': 365,
  'breakout.assigned': 365,
  'breakout.message': 730,
  'breakout.visit': 365,
  'breakout.extended': 365,
  'breakout.closed': 365,
  'membership.changed': 1095,
  'space.created': 1095,
  'space.renamed': 1095,
  'space.state': 1095,
  'invitation.sent': 1095,
  'invitation.answered': 1095,
  'invitation.withdrawn': 1095,
  'file.added': 730,
  'file.deleted': 730,
  'recording.started': 365,
  'recording.stopped': 365,
  'presentation.opened': 365,
  'presentation.page': 365,
  'presentation.control': 365,
  'presentation.marked': 730,
  'presentation.cleared': 730,
  'presentation.closed': 365,
  'guest.created': 1095,
  'report.filed': 1095,
  'archive.redacted': 36500,
  'system.test': 30,
};

/** Retention of a kind that the table above does not name yet: two school years. */
export const FALLBACK_RETENTION_DAYS = 730;

/** A retention rule: for a scope (`*` or a school's UAI) and a kind. */
export const RetentionRule = z.object({
  scope: z.union([z.literal('*'), z.string().regex(/^[0-9]{7}[A-Z]$/)]),
  kind: TraceKind,
  days: z.number().int().min(1).max(36500),
});
export type RetentionRule = z.infer<typeof RetentionRule>;

/** Which rule to remove: its scope and kind (the next rule down then applies). */
export const RetentionRuleKey = RetentionRule.pick({ scope: true, kind: true });
export type RetentionRuleKey = z.infer<typeof RetentionRuleKey>;

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((s) => (s === '' ? undefined : s))
    .optional();

/** An optional date from a form or query (`YYYY-MM-DD` or ISO), as a Date. */
const OptionalDate = z
  .string()
  .trim()
  .optional()
  .transform((s, ctx) => {
    if (!s) return undefined;
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00.000Z` : s);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'a date' });
      return z.NEVER;
    }
    return d;
  });

/** The archivist's search: any combination of person, space, kind and period. */
export const ArchiveSearch = z
  .object({
    person: optionalText(64).pipe(PersonId.optional()),
    space: optionalText(64).pipe(SpaceId.optional()),
    kind: optionalText(64).pipe(TraceKind.optional()),
    from: OptionalDate,
    to: OptionalDate,
    /** Resume after this cursor (`at|space|seq` of the last record seen). */
    after: optionalText(140),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .refine((q) => q.person || q.space, {
    message: 'a person or a space is required',
    path: ['person'],
  });
export type ArchiveSearch = z.output<typeof ArchiveSearch>;

/** One record as the archivist reads it: names resolved at read time. */
export const RecordView = z.object({
  space: SpaceId,
  seq: z.number().int(),
  kind: z.string(),
  at: z.string(),
  actor: z.string().nullable(),
  actorName: z.string().nullable(),
  subject: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()).nullable(),
  bodyBytes: z.number().int().nullable(),
  /** Where the record is: still in the outbox, or in a segment. */
  archived: z.boolean(),
  deleted: z.enum(['retention', 'erasure']).nullable(),
  held: z.boolean(),
  /** The space named from the directory now (null when the directory no longer knows it). */
  spaceLabel: SpaceLabel.nullable().optional(),
  /** For a `doc.update`: what it changed, and the document's title then. */
  change: DocChange.nullable().optional(),
});
export type RecordView = z.infer<typeof RecordView>;

/** Opening a case. */
export const OpenCase = z.object({
  reference: z.string().trim().min(1).max(120),
  legalBasis: z.string().trim().min(1).max(500),
  authority: z.string().trim().min(1).max(300),
  description: z.string().trim().max(2000).default(''),
});
export type OpenCase = z.infer<typeof OpenCase>;

/** A case as listed. */
export const CaseView = z.object({
  id: Id,
  reference: z.string(),
  legalBasis: z.string(),
  authority: z.string(),
  description: z.string(),
  openedBy: z.string(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  /** Set together when the case is closed (see CloseCase). */
  closedBy: z.string().nullable(),
  closeOutcome: z.string().nullable(),
  closedOn: z.string().nullable(),
});
export type CaseView = z.infer<typeof CaseView>;

/** Placing a hold: a space, a person or both, over an optional period. */
export const PlaceHold = z
  .object({
    space: optionalText(64).pipe(SpaceId.optional()),
    person: optionalText(64).pipe(PersonId.optional()),
    from: OptionalDate,
    until: OptionalDate,
  })
  .refine((h) => h.space || h.person, {
    message: 'a space or a person is required',
    path: ['space'],
  });
export type PlaceHold = z.output<typeof PlaceHold>;

/** A hold as listed. */
export const HoldView = z.object({
  id: Id,
  caseId: Id,
  space: z.string().nullable(),
  person: z.string().nullable(),
  from: z.string().nullable(),
  until: z.string().nullable(),
  placedBy: z.string(),
  placedAt: z.string(),
  liftedBy: z.string().nullable(),
  liftedAt: z.string().nullable(),
  liftReason: z.string().nullable(),
});
export type HoldView = z.infer<typeof HoldView>;

/** Lifting a hold: why. */
export const LiftHold = z.object({ reason: z.string().trim().min(1).max(500) });
export type LiftHold = z.infer<typeof LiftHold>;

/** Exporting a case: the moments at which documents are rebuilt (default: now). */
export const ExportRequest = z.object({
  moments: z.array(z.coerce.date()).max(20).default([]),
});
export type ExportRequest = z.infer<typeof ExportRequest>;

/**
 * An act still waiting in the trace outbox (not yet sealed in a segment):
 * named by an export that could not include it, counted by a search.
 */
export const PendingAct = z.object({
  space: z.string(),
  seq: z.number().int().positive(),
  kind: z.string(),
  at: z.string(),
});
export type PendingAct = z.infer<typeof PendingAct>;

/** An export as listed. */
export const ExportView = z.object({
  id: Id,
  caseId: Id,
  sha256: Sha256Hex,
  size: z.number().int(),
  records: z.number().int(),
  /** Acts in scope still waiting in the outbox when it was made (0: the bundle is whole). */
  pending: z.number().int().nonnegative(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type ExportView = z.infer<typeof ExportView>;

/** Actions written to the audit log. */
export const AuditAction = z.enum([
  'search',
  'read',
  'case.open',
  'case.close',
  'hold.place',
  'hold.lift',
  'export',
  'export.download',
  'audit.read',
  'retention.set',
  'retention.remove',
  'retention.sweep',
  'rights.download',
  'rights.erase',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** One audit entry; `hash` chains it to the one before. */
export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  at: IsoDate,
  actor: z.string(),
  role: z.string(),
  action: AuditAction,
  caseId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prev: Sha256Hex,
  hash: Sha256Hex,
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** A role the audit log records an action in. */
export const AuditRole = z.enum(['archivist', 'dpo', 'admin', 'self', 'system']);
export type AuditRole = z.infer<typeof AuditRole>;

const OptionalSeq = optionalText(20).pipe(
  z
    .string()
    .regex(/^[1-9][0-9]*$/)
    .transform(Number)
    .optional(),
);

/**
 * The DPO's view of the audit log: filters (action, role, who acted, whom
 * it concerned, case, period) and pages, newest first; `before` gives the
 * page below an entry number, `after` the page above it.
 */
export const AuditQuery = z.object({
  action: optionalText(40).pipe(AuditAction.optional()),
  role: optionalText(20).pipe(AuditRole.optional()),
  actor: optionalText(64).pipe(PersonId.optional()),
  /** A person the entry is about: searched for, held, or whose name was shown. */
  concerning: optionalText(64).pipe(PersonId.optional()),
  caseId: optionalText(64).pipe(Id.optional()),
  from: OptionalDate,
  to: OptionalDate,
  before: OptionalSeq,
  after: OptionalSeq,
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type AuditQuery = z.output<typeof AuditQuery>;

/** What an erasure request removed and what it kept, and why. */
export const ErasureReport = z.object({
  person: PersonId,
  at: IsoDate,
  erased: z.number().int().nonnegative(),
  /** `space/doc` of each document rewritten without the person's text (archive and stored history). */
  documentsRewritten: z.array(z.string()),
  kept: z.array(
    z.object({
      space: SpaceId,
      records: z.number().int().positive(),
      reason: z.literal('legal_hold'),
      caseReference: z.string(),
    }),
  ),
  /** Live-class chat messages whose text was erased (reports made before it had none). */
  chatMessagesErased: z.number().int().nonnegative().default(0),
  /** Files the person shared in spaces, removed with their bytes (reports made before had none). */
  filesErased: z.number().int().nonnegative().default(0),
});
export type ErasureReport = z.infer<typeof ErasureReport>;

/** `POST /api/me/erasure`: the person confirms. */
export const ErasureRequest = z.object({ confirm: z.literal(true) });
export type ErasureRequest = z.infer<typeof ErasureRequest>;

/**
 * Closing a case: the outcome that ended the matter (judgment, dismissal,
 * request withdrawn…) and the date of that decision (`YYYY-MM-DD`, Paris;
 * not in the future, not before the case was opened). Closing lifts the
 * case's active holds; a closed case takes no new hold but can still be
 * exported, on the holds in force when it closed.
 */
export const CloseCase = z.object({
  outcome: z.string().trim().min(1).max(500),
  closedOn: z.iso.date(),
});
export type CloseCase = z.infer<typeof CloseCase>;

/** Fan-out channel on which an erasure tells every docs server to drop erased text from a loaded document. */
export const DOC_REWRITE_CHANNEL = 'preau:doc-rewrite';

/** A document whose stored history an erasure rewrote (JSON on DOC_REWRITE_CHANNEL). */
export const DocRewriteNotice = z.object({
  docId: Id,
  /** The base of the rewritten history (its first remaining version). */
  seq: z.number().int().nonnegative(),
  /** Base64 of the Yjs update deleting the erased items: a delete set, ids only, no content. */
  deletion: z.string().max(8_000_000),
});
export type DocRewriteNotice = z.infer<typeof DocRewriteNotice>;

/** Fan-out channel on which an erasure tells every live-class node to drop the person's chat from memory. */
export const PERSON_ERASED_CHANNEL = 'preau:person-erased';

/** A person whose data an erasure removed (JSON on PERSON_ERASED_CHANNEL). */
export const PersonErasedNotice = z.object({ person: PersonId });
export type PersonErasedNotice = z.infer<typeof PersonErasedNotice>;
