import {
  ARCHIVE_FORMAT,
  type ArchiveLine,
  ArchiveLine as ArchiveLineSchema,
  type ArchivePublicKey,
  RecordContent,
  SignedManifest,
} from '@preau/protocol';
import { canonicalJson, sha256Hex } from './canonical';
import { verifyCanonical } from './keys';
import { lineHash } from './records';

/** A place where a check failed: the file, and the record when one is to blame. */
export interface Problem {
  file: string;
  seq?: number;
  line?: number;
  reason: string;
}

/** What checking one segment found. */
export interface SegmentCheck {
  space: string | null;
  firstSeq: number | null;
  lastSeq: number | null;
  prevHash: string | null;
  lastHash: string | null;
  records: number;
  redacted: number;
  kid: string | null;
  problems: Problem[];
  lines: ArchiveLine[];
}

/**
 * Checks a segment against its signed manifest with no server: the
 * signature, the segment's SHA-256, and each line (canonical form, content
 * hash, record hash, sequence, chain link). Problems are in file order, so
 * the first one is the first broken place.
 */
export function verifySegment(opts: {
  file: string;
  manifestFile: string;
  bytes: Uint8Array;
  manifestBytes: Uint8Array;
  keys: readonly ArchivePublicKey[];
  /** Which well-formed lines to return in `lines` (all by default). */
  keep?: (line: ArchiveLine) => boolean;
}): SegmentCheck {
  const problems: Problem[] = [];
  const check: SegmentCheck = {
    space: null,
    firstSeq: null,
    lastSeq: null,
    prevHash: null,
    lastHash: null,
    records: 0,
    redacted: 0,
    kid: null,
    problems,
    lines: [],
  };
  let signed: SignedManifest | undefined;
  try {
    const parsed = SignedManifest.safeParse(
      JSON.parse(new TextDecoder().decode(opts.manifestBytes)),
    );
    if (parsed.success) signed = parsed.data;
    else problems.push({ file: opts.manifestFile, reason: 'manifest malformed' });
  } catch {
    problems.push({ file: opts.manifestFile, reason: 'manifest unreadable' });
  }
  if (!signed) return check;
  const { manifest, signature } = signed;
  Object.assign(check, {
    space: manifest.space,
    firstSeq: manifest.firstSeq,
    lastSeq: manifest.lastSeq,
    prevHash: manifest.prevHash,
    lastHash: manifest.lastHash,
    kid: signature.kid,
  });
  if (!opts.keys.some((k) => k.kid === signature.kid)) {
    problems.push({
      file: opts.manifestFile,
      reason: `manifest signed by an unknown key (${signature.kid})`,
    });
  } else if (!verifyCanonical(opts.keys, manifest, signature)) {
    problems.push({
      file: opts.manifestFile,
      reason: `manifest signature invalid (key ${signature.kid})`,
    });
  }

  const lineProblems: Problem[] = [];
  const text = utf8Text(opts.bytes);
  const rawLines = text.split('\n');
  if (rawLines.at(-1) === '') rawLines.pop();
  let prev = manifest.prevHash;
  const redacted = new Set(manifest.redacted);
  const known = new Map<string, boolean>();
  for (const [i, raw] of rawLines.entries()) {
    const expectedSeq = manifest.firstSeq + i;
    const at = { file: opts.file, seq: expectedSeq, line: i + 1 };
    const fail = (reason: string) => lineProblems.push({ ...at, reason });
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      fail('record unreadable');
      continue;
    }
    // The usual line is checked by hand; anything else (a deleted content,
    // an unknown member, a doubtful field) goes through the schema.
    const read = value;
    const plain = isPlainLine(read, known);
    let line: ArchiveLine;
    if (plain) line = read;
    else {
      const parsed = ArchiveLineSchema.safeParse(value);
      if (!parsed.success) {
        fail('record malformed');
        continue;
      }
      line = parsed.data;
    }
    if (!opts.keep || opts.keep(line)) check.lines.push(line);
    const form = canonicalForm(value, raw);
    if (form === null) fail('record altered (not in canonical form)');
    else if (line.seq !== expectedSeq) fail(`out of sequence (found ${line.seq})`);
    else if (line.space !== manifest.space) fail(`wrong space (${line.space})`);
    else if (
      line.content &&
      sha256Hex(
        plain && form === 'sorted' ? JSON.stringify(line.content) : canonicalJson(line.content),
      ) !== line.contentHash
    )
      fail('content altered (content hash mismatch)');
    else if (!line.content && !(line.redaction && redacted.has(line.seq)))
      fail('content missing without a signed deletion');
    else if (line.content && redacted.has(line.seq)) fail('content present but listed as deleted');
    else if (lineHash(line) !== line.hash) fail('record altered (hash mismatch)');
    else if (line.prev !== prev) fail('chain broken (previous hash does not match)');
    prev = line.hash;
    if (!line.content) check.redacted += 1;
  }
  check.records = rawLines.length;
  problems.push(...lineProblems);

  const segmentProblems: Problem[] = [];
  if (sha256Hex(opts.bytes) !== manifest.segment.sha256) {
    segmentProblems.push({ file: opts.file, reason: 'segment SHA-256 differs from its manifest' });
  }
  if (
    rawLines.length !== manifest.count ||
    manifest.lastSeq - manifest.firstSeq + 1 !== manifest.count
  ) {
    segmentProblems.push({
      file: opts.file,
      reason: `segment holds ${rawLines.length} records, manifest says ${manifest.count}`,
    });
  }
  if (prev !== manifest.lastHash && lineProblems.length === 0) {
    segmentProblems.push({ file: opts.file, reason: 'last record hash differs from manifest' });
  }
  // Record-level problems name the record; segment-level ones come after them.
  problems.push(...segmentProblems);
  return check;
}

/** A checked segment and the file it came from. */
export interface CheckedSegment extends SegmentCheck {
  file: string;
}

/**
 * Checks that each space's segments form one chain: each starts where the
 * one before ended and points back to its last hash; the first starts at
 * record 1 from the genesis hash when `fromGenesis`.
 */
export function checkContinuity(
  segments: readonly CheckedSegment[],
  opts: { fromGenesis: boolean; genesis: string },
): Problem[] {
  const problems: Problem[] = [];
  const bySpace = new Map<string, CheckedSegment[]>();
  for (const s of segments) {
    if (s.space === null || s.firstSeq === null) continue;
    bySpace.set(s.space, [...(bySpace.get(s.space) ?? []), s]);
  }
  for (const list of bySpace.values()) {
    list.sort((a, b) => (a.firstSeq ?? 0) - (b.firstSeq ?? 0));
    let before: CheckedSegment | undefined;
    for (const s of list) {
      if (!before) {
        if (opts.fromGenesis && (s.firstSeq !== 1 || s.prevHash !== opts.genesis)) {
          problems.push({
            file: s.file,
            seq: s.firstSeq ?? undefined,
            reason: 'chain does not start at the first record',
          });
        }
      } else if (s.firstSeq !== (before.lastSeq ?? 0) + 1) {
        problems.push({
          file: s.file,
          seq: s.firstSeq ?? undefined,
          reason: `records ${(before.lastSeq ?? 0) + 1}–${(s.firstSeq ?? 1) - 1} missing between segments`,
        });
      } else if (s.prevHash !== before.lastHash) {
        problems.push({
          file: s.file,
          seq: s.firstSeq ?? undefined,
          reason: 'chain broken between segments',
        });
      }
      before = s;
    }
  }
  return problems;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The text of UTF-8 bytes as `TextDecoder` reads it (a leading byte order
 * mark dropped, malformed bytes replaced), by the engine's faster decoder.
 */
function utf8Text(bytes: Uint8Array): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', bom);
}
const CONTENT_KEYS = 5;
const LINE_KEYS = 9;

/**
 * Whether a parsed line certainly passes the `ArchiveLine` schema: the nine
 * members of a sealed line and no other, each of the right type and form.
 * A `false` proves nothing (the schema then decides); a `true` is never
 * wrong, so the schema's verdict is unchanged. `known` remembers the
 * identifiers and dates already checked against their schema.
 */
function isPlainLine(value: unknown, known: Map<string, boolean>): value is ArchiveLine {
  if (!isObject(value) || Object.keys(value).length !== LINE_KEYS) return false;
  const { v, space, seq, kind, at, prev, contentHash, content, hash } = value;
  if (
    v !== ARCHIVE_FORMAT ||
    typeof kind !== 'string' ||
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    seq <= 0 ||
    !isHex(prev) ||
    !isHex(contentHash) ||
    !isHex(hash) ||
    !passes(known, 'space', space) ||
    !(isIsoInstant(at) || passes(known, 'at', at)) ||
    !isObject(content) ||
    Object.keys(content).length !== CONTENT_KEYS
  )
    return false;
  return (
    passes(known, 'actor', content.actor) &&
    (content.subject === null || typeof content.subject === 'string') &&
    isObject(content.payload) &&
    (content.body === null || typeof content.body === 'string') &&
    typeof content.salt === 'string'
  );
}

const FIELDS = {
  space: ArchiveLineSchema.shape.space,
  at: ArchiveLineSchema.shape.at,
  actor: RecordContent.shape.actor,
} as const;

/** A field's value against its own schema, remembered (spaces and people repeat on every line). */
function passes(known: Map<string, boolean>, field: keyof typeof FIELDS, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const key = `${field}:${value}`;
  let ok = known.get(key);
  if (ok === undefined) {
    ok = FIELDS[field].safeParse(value).success;
    // Dates rarely repeat: only identifiers are worth keeping.
    if (field !== 'at') known.set(key, ok);
  }
  return ok;
}

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * A date as sealing writes it (`Date#toISOString`, years 0000 to 9999): the
 * engine reads it back to the very same text only when it names a real
 * instant (no 30 February, no hour 24), which the schema's date-time accepts.
 */
export function isIsoInstant(value: unknown): boolean {
  if (typeof value !== 'string' || !INSTANT.test(value)) return false;
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && date.toISOString() === value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHex(value: unknown): boolean {
  return typeof value === 'string' && HEX64.test(value);
}

/**
 * Whether `raw` is the canonical encoding of `value` (parsed from it):
 * `sorted` when every object's keys are already in canonical order, so that
 * the engine's own `JSON.stringify` writes canonical JSON of any part of it
 * (the canonical encoding writes every scalar with `JSON.stringify` too);
 * `reordered` when only the full canonical encoder agrees (keys that look
 * like array indices, which objects keep first); null when neither does
 * (nor can: a number read as infinite).
 */
function canonicalForm(value: unknown, raw: string): 'sorted' | 'reordered' | null {
  if (keysSorted(value)) return JSON.stringify(value) === raw ? 'sorted' : null;
  try {
    return canonicalJson(value) === raw ? 'reordered' : null;
  } catch (err) {
    // A number JSON reads as infinite (`1e999`) has no canonical form: not canonical.
    if (err instanceof TypeError) return null;
    throw err;
  }
}

function keysSorted(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!keysSorted(item)) return false;
    return true;
  }
  let before: string | undefined;
  for (const key in value) {
    if (before !== undefined && !(before < key)) return false;
    before = key;
    if (!keysSorted((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}
