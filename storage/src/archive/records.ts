import {
  ARCHIVE_FORMAT,
  type ArchiveLine,
  type RecordContent,
  type Redaction,
  type SegmentManifest,
  type TraceRecord,
} from '@preau/protocol';
import { canonicalJson, hashCanonical, sha256Hex, toBase64 } from './canonical';

const q = JSON.stringify;

/** The part of a line that its hash covers. */
export function lineHeader(line: Omit<ArchiveLine, 'hash' | 'content' | 'redaction'>) {
  return {
    v: line.v,
    space: line.space,
    seq: line.seq,
    kind: line.kind,
    at: line.at,
    prev: line.prev,
    contentHash: line.contentHash,
  };
}

/**
 * The hash of a line: SHA-256 of its header's canonical encoding, written
 * directly in the canonical key order (the same text `canonicalJson` gives
 * for `lineHeader(line)`; a test holds them to it).
 */
export function lineHash(line: Omit<ArchiveLine, 'hash' | 'content' | 'redaction'>): string {
  return sha256Hex(
    `{"at":${q(line.at)},"contentHash":${q(line.contentHash)},"kind":${q(line.kind)},"prev":${q(line.prev)},"seq":${finite(line.seq)},"space":${q(line.space)},"v":${finite(line.v)}}`,
  );
}

function finite(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError('canonical JSON: non-finite number');
  return JSON.stringify(n);
}

/** The hash of a record's content. */
export function contentHash(content: RecordContent): string {
  return hashCanonical(content);
}

/** Seals a trace record into a segment line chained after `prev`. */
export function sealRecord(record: TraceRecord, prev: string, salt: Uint8Array): ArchiveLine {
  const content: RecordContent = {
    actor: record.actor,
    subject: record.subject,
    payload: record.payload,
    body: record.body ? toBase64(record.body) : null,
    salt: toBase64(salt),
  };
  const header = {
    v: ARCHIVE_FORMAT,
    space: record.space,
    seq: record.seq,
    kind: record.kind,
    at: record.at.toISOString(),
    prev,
    contentHash: contentHash(content),
  } as const;
  return { ...header, content, hash: lineHash(header) };
}

/** Seals consecutive records of one space, each chained to the one before. */
export function sealRecords(
  records: readonly TraceRecord[],
  prev: string,
  saltFor: (space: string, seq: number) => Uint8Array,
): ArchiveLine[] {
  const lines: ArchiveLine[] = [];
  let last = prev;
  for (const record of records) {
    const line = sealRecord(record, last, saltFor(record.space, record.seq));
    lines.push(line);
    last = line.hash;
  }
  return lines;
}

/**
 * A record as the archiver reads it from the outbox: like a `TraceRecord`,
 * but its body already in standard base64 (the form a line carries).
 */
export interface OutboxEntry {
  space: string;
  seq: number;
  kind: string;
  actor: string;
  subject: string | null;
  at: Date;
  payload: Record<string, unknown>;
  body64: string | null;
}

/**
 * Seals consecutive records of one space and encodes them as a segment in
 * one pass: each record's content is put in canonical form once, and the
 * line and its hashed header are written from that text, key by key in the
 * canonical order, instead of encoding every line again as a whole. The
 * bytes are exactly `encodeSegment(sealRecords(…))` (a test holds them to it).
 */
export function sealSegment(
  entries: readonly OutboxEntry[],
  prev: string,
  saltFor: (space: string, seq: number) => Uint8Array,
): { lines: ArchiveLine[]; bytes: Uint8Array } {
  const lines: ArchiveLine[] = new Array(entries.length);
  const text: string[] = new Array(entries.length);
  let last = prev;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const content: RecordContent = {
      actor: e.actor,
      subject: e.subject,
      payload: e.payload,
      body: e.body64,
      salt: toBase64(saltFor(e.space, e.seq)),
    };
    // Keys in code-unit order: actor, body, payload, salt, subject.
    const contentText = `{"actor":${q(e.actor)},"body":${e.body64 === null ? 'null' : q(e.body64)},"payload":${canonicalJson(e.payload)},"salt":${q(content.salt)},"subject":${e.subject === null ? 'null' : q(e.subject)}}`;
    const contentHash = sha256Hex(contentText);
    const at = e.at.toISOString();
    // The header's keys in order (at, contentHash, kind, prev, seq, space, v): see `lineHeader`.
    const tail = `"kind":${q(e.kind)},"prev":"${last}","seq":${e.seq},"space":${q(e.space)},"v":${ARCHIVE_FORMAT}}`;
    const hash = sha256Hex(`{"at":"${at}","contentHash":"${contentHash}",${tail}`);
    text[i] =
      `{"at":"${at}","content":${contentText},"contentHash":"${contentHash}","hash":"${hash}",${tail}\n`;
    lines[i] = {
      v: ARCHIVE_FORMAT,
      space: e.space,
      seq: e.seq,
      kind: e.kind,
      at,
      prev: last,
      contentHash,
      content,
      hash,
    };
    last = hash;
  }
  return { lines, bytes: new TextEncoder().encode(text.join('')) };
}

/** The same line without its content: the chain still verifies through `contentHash`. */
export function redactLine(line: ArchiveLine, redaction: Redaction): ArchiveLine {
  return { ...line, content: null, redaction };
}

/** A segment's bytes: each line's canonical JSON followed by a newline. */
export function encodeSegment(lines: readonly ArchiveLine[]): Uint8Array {
  return new TextEncoder().encode(lines.map((l) => `${canonicalJson(l)}\n`).join(''));
}

/** The lines of a segment (no validation: the verifier does that). */
export function decodeSegment(bytes: Uint8Array): ArchiveLine[] {
  const text = new TextDecoder().decode(bytes);
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as ArchiveLine);
}

/** The manifest of a segment's lines (to be signed). */
export function buildManifest(
  lines: readonly ArchiveLine[],
  bytes: Uint8Array,
  opts: { key: string; prevHash: string; revision: number; sealedAt: Date },
): SegmentManifest {
  const first = lines[0];
  const last = lines.at(-1);
  if (!first || !last) throw new Error('a segment holds at least one record');
  return {
    v: ARCHIVE_FORMAT,
    space: first.space,
    firstSeq: first.seq,
    lastSeq: last.seq,
    count: lines.length,
    prevHash: opts.prevHash,
    lastHash: last.hash,
    firstAt: first.at,
    lastAt: last.at,
    segment: { key: opts.key, sha256: sha256Hex(bytes), size: bytes.byteLength },
    revision: opts.revision,
    redacted: lines.filter((l) => l.content === null).map((l) => l.seq),
    sealedAt: opts.sealedAt.toISOString(),
  };
}

/** Person ids a record is about: its actor and any person named in the usual payload fields. */
export function peopleOf(record: Pick<TraceRecord, 'actor' | 'payload'>): string[] {
  const people = new Set<string>([record.actor]);
  for (const field of ['target', 'person', 'member', 'members', 'invited', 'reported']) {
    const value = record.payload[field];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values)
      if (typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v)) people.add(v);
  }
  return [...people];
}
