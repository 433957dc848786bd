import { isUtf8 } from 'node:buffer';
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
  const rawLines = segmentLines(opts.bytes);
  let prev = manifest.prevHash;
  const redacted = new Set(manifest.redacted);
  const known = new Map<string, boolean>();
  for (let i = 0; i < rawLines.length; i++) {
    const raw = rawLines[i]!;
    const expectedSeq = manifest.firstSeq + i;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      lineProblems.push({
        file: opts.file,
        seq: expectedSeq,
        line: i + 1,
        reason: 'record unreadable',
      });
      continue;
    }
    // The usual line passes every check at once; any other goes the whole way below.
    const sound = soundLine(value, raw, expectedSeq, manifest.space, prev, known);
    if (sound && !redacted.has(expectedSeq)) {
      if (!opts.keep || opts.keep(sound)) check.lines.push(sound);
      prev = sound.hash;
      continue;
    }
    const at = { file: opts.file, seq: expectedSeq, line: i + 1 };
    const fail = (reason: string) => lineProblems.push({ ...at, reason });
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
        plain && form === 'sorted' ? contentText(raw, line) : canonicalJson(line.content),
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
 * The canonical text of a plain line's content, cut out of the line's own
 * text: a plain line has exactly the nine members of a sealed line, and when
 * its text is the engine's encoding of it with every key in order (`sorted`),
 * that text is `{"at":…,"content":<content>,"contentHash":"…",…}` with the
 * content written exactly as `JSON.stringify(line.content)` writes it (the
 * canonical form, keys being in order); the rest of the line after the
 * content is the six fixed members, of known lengths.
 */
function contentText(raw: string, line: ArchiveLine): string {
  const { start, end } = contentSpan(raw, line);
  return raw.slice(start, end);
}

function contentSpan(raw: string, line: ArchiveLine): { start: number; end: number } {
  const start = CONTENT_AT + JSON.stringify(line.at).length;
  const tail =
    AFTER_CONTENT +
    JSON.stringify(line.kind).length +
    String(line.seq).length +
    JSON.stringify(line.space).length +
    String(line.v).length;
  return { start, end: raw.length - tail };
}

/** `{"at":` and `,"content":` around the date. */
const CONTENT_AT = '{"at":,"content":'.length;
/** `,"content":`, `,"contentHash":"…"` and `,"hash":"…"` in a line's text. */
const CONTENT_MEMBER = ',"content":'.length;
const CONTENT_HASH_MEMBER = ',"contentHash":""'.length + 64;
const HASH_MEMBER = ',"hash":""'.length + 64;
/** The fixed characters after the content: member names, three hashes and the closing brace. */
const AFTER_CONTENT =
  ',"contentHash":"","hash":"","kind":,"prev":"","seq":,"space":,"v":}'.length + 3 * 64;

/**
 * A parsed line that passes every check of a line with content (the ones
 * below, in `verifySegment`), or null when any would fail or is not certain
 * here; the caller then checks it the whole way, which decides and names the
 * problem exactly as before. Whatever this accepts, that path accepts too:
 * the same members and types as `isPlainLine` (the three hashes are proved
 * to be SHA-256s in hex by being equal to ones computed here or verified
 * before: the previous hash is the manifest's, which its schema checked, or
 * the previous line's), the canonical text, the expected sequence number
 * and space, both hashes and the chain link.
 */
function soundLine(
  value: unknown,
  raw: string,
  seq: number,
  space: string,
  prev: string,
  known: Map<string, boolean>,
): ArchiveLine | null {
  if (!isObject(value)) return null;
  const line = value as Partial<ArchiveLine> & Record<string, unknown>;
  const content = line.content;
  if (
    line.seq !== seq ||
    line.space !== space ||
    line.prev !== prev ||
    line.v !== ARCHIVE_FORMAT ||
    typeof line.kind !== 'string' ||
    typeof line.contentHash !== 'string' ||
    typeof line.hash !== 'string' ||
    !isObject(content) ||
    !isIsoInstant(line.at) ||
    Object.keys(line).length !== LINE_KEYS ||
    Object.keys(content).length !== CONTENT_KEYS ||
    !passes(known, 'actor', content.actor) ||
    !(content.subject === null || typeof content.subject === 'string') ||
    !isObject(content.payload) ||
    !(content.body === null || typeof content.body === 'string') ||
    typeof content.salt !== 'string' ||
    !keysSorted(value) ||
    JSON.stringify(value) !== raw
  )
    return null;
  const sealed = line as ArchiveLine;
  const { start, end } = contentSpan(raw, sealed);
  if (sha256Hex(raw.slice(start, end)) !== sealed.contentHash) return null;
  // The hashed header is the line's text without its content and its hash
  // (see `lineHash`): `{"at":…` `,"contentHash":"…"` `,"kind":…}`.
  const header =
    raw.slice(0, start - CONTENT_MEMBER) +
    raw.slice(end, end + CONTENT_HASH_MEMBER) +
    raw.slice(end + CONTENT_HASH_MEMBER + HASH_MEMBER);
  if (sha256Hex(header) !== sealed.hash) return null;
  return sealed;
}

/**
 * A segment's lines as text, exactly `TextDecoder`'s reading of the bytes
 * (a leading byte order mark dropped, malformed bytes replaced) split at each
 * line break, the empty text after the last one left out. Valid UTF-8 (the
 * usual case) is decoded line by line, so that a line of ASCII (most lines:
 * bodies are base64) is a one-byte string even when other lines of the
 * segment are not, which the engine parses, writes and hashes faster.
 */
function segmentLines(bytes: Uint8Array): string[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  if (!isUtf8(buf.subarray(bom))) {
    const lines = buf.toString('utf8', bom).split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines;
  }
  const lines: string[] = [];
  for (let start = bom; start < buf.length; ) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    lines.push(buf.toString('utf8', start, end));
    start = end + 1;
  }
  return lines;
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

/**
 * A date as sealing writes it (`Date#toISOString`, years 0000 to 9999,
 * `YYYY-MM-DDTHH:mm:ss.sssZ`) that names a real instant (no 30 February, no
 * hour 24), which the schema's date-time accepts; the engine would read such
 * a text back to the very same text. Read digit by digit: dates rarely
 * repeat, and this runs on every line.
 */
export function isIsoInstant(value: unknown): boolean {
  if (typeof value !== 'string' || value.length !== 24) return false;
  for (let i = 0; i < 24; i++) {
    const c = value.charCodeAt(i);
    const want = INSTANT_SHAPE.charCodeAt(i);
    if (want === 100 /* d */ ? c < 48 || c > 57 : c !== want) return false;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    digits(value, 11, 2) < 24 &&
    digits(value, 14, 2) < 60 &&
    digits(value, 17, 2) < 60
  );
}

/** Where `isIsoInstant` wants a digit (d) or this very character. */
const INSTANT_SHAPE = 'dddd-dd-ddTdd:dd:dd.dddZ';

function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
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
