import { ArchiveLine, GENESIS_HASH, type TraceRecord } from '@preau/protocol';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hashCanonical, toBase64 } from './canonical';
import { generateArchiveSigner } from './keys';
import { manifestKey, parseSegmentKey, segmentKey } from './layout';
import {
  buildManifest,
  encodeSegment,
  lineHash,
  lineHeader,
  type OutboxEntry,
  redactLine,
  sealRecords,
  sealSegment,
} from './records';
import { isIsoInstant, verifySegment } from './verifySegment';

const signer = generateArchiveSigner();

function records(n: number, space = 'class_x'): TraceRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    space,
    seq: i + 1,
    actor: `p${i % 3}`,
    kind: i % 2 ? 'chat.message' : 'doc.update',
    subject: i % 2 ? null : 'pad_1',
    at: new Date(Date.UTC(2026, 8, 1, 8, 0, i)),
    payload: { text: `message ${i} élève` },
    body: i % 2 ? null : new Uint8Array([i, 1, 2, 3]),
  }));
}

function seal(lines = sealRecords(records(5), GENESIS_HASH, signer.saltFor), revision = 1) {
  const bytes = encodeSegment(lines);
  const key = segmentKey('class_x', lines[0]!.seq, lines.at(-1)!.seq);
  const manifest = buildManifest(lines, bytes, {
    key,
    prevHash: lines[0]!.prev,
    revision,
    sealedAt: new Date(),
  });
  const manifestBytes = new TextEncoder().encode(
    JSON.stringify({ manifest, signature: signer.signCanonical(manifest) }),
  );
  return { bytes, manifestBytes, lines };
}

function check(bytes: Uint8Array, manifestBytes: Uint8Array) {
  return verifySegment({
    file: 'seg.jsonl',
    manifestFile: 'seg.manifest.json',
    bytes,
    manifestBytes,
    keys: [signer.publicJwk],
  });
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 'é' }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":"é","z":0}]},"b":1}',
    );
  });
  it('refuses values JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(() => canonicalJson({ f: () => 1 })).toThrow();
  });
});

describe('segment keys', () => {
  it('sort in chain order and name their sequence numbers', () => {
    const a = segmentKey('class_x', 9, 10);
    const b = segmentKey('class_x', 11, 200);
    expect([b, a].sort()).toEqual([a, b]);
    expect(parseSegmentKey(b)).toEqual({ first: 11, last: 200 });
    expect(parseSegmentKey(manifestKey('class_x', 11, 200))).toEqual({ first: 11, last: 200 });
  });
});

describe('sealed segments', () => {
  it('seal the same records to the same bytes (a rewrite after a crash changes nothing)', () => {
    const one = encodeSegment(sealRecords(records(5), GENESIS_HASH, signer.saltFor));
    const two = encodeSegment(sealRecords(records(5), GENESIS_HASH, signer.saltFor));
    expect(Buffer.from(one).equals(Buffer.from(two))).toBe(true);
    const other = generateArchiveSigner();
    const three = encodeSegment(sealRecords(records(5), GENESIS_HASH, other.saltFor));
    expect(Buffer.from(one).equals(Buffer.from(three))).toBe(false);
  });

  it('seal in one pass to exactly the bytes and lines of the generic encoding', () => {
    const awkward: TraceRecord[] = [
      ...records(7),
      {
        space: 'class_x',
        seq: 8,
        actor: 'p"\\q',
        kind: 'chat.message',
        subject: 'sujet\u2028é"\n',
        at: new Date(Date.UTC(2026, 8, 1, 8, 0, 0, 7)),
        payload: { z: [1, { b: null, a: 'é\u0000' }], a: -0.5, m: undefined, '': true, Z: 1e21 },
        body: new Uint8Array(300).map((_, i) => (i * 7) % 256),
      },
    ];
    const entries: OutboxEntry[] = awkward.map((r) => ({
      space: r.space,
      seq: r.seq,
      kind: r.kind,
      actor: r.actor,
      subject: r.subject,
      at: r.at,
      payload: r.payload,
      body64: r.body ? toBase64(r.body) : null,
    }));
    const prev = 'a'.repeat(64);
    const generic = sealRecords(awkward, prev, signer.saltFor);
    const fast = sealSegment(entries, prev, signer.saltFor);
    expect(fast.lines).toEqual(generic);
    for (const line of generic) expect(lineHash(line)).toBe(hashCanonical(lineHeader(line)));
    expect(Buffer.from(fast.bytes).equals(Buffer.from(encodeSegment(generic)))).toBe(true);
  });

  it('chain each record to the one before and verify with the signed manifest', () => {
    const { bytes, manifestBytes, lines } = seal();
    expect(lines[0]!.prev).toBe(GENESIS_HASH);
    expect(lines[3]!.prev).toBe(lines[2]!.hash);
    const result = check(bytes, manifestBytes);
    expect(result.problems).toEqual([]);
    expect(result.records).toBe(5);
  });

  it('verifies payloads whose keys look like numbers, and refuses a number with no canonical form', () => {
    const numeric = records(3).map((r) => ({
      ...r,
      payload: { '10': 'a', '9': 'b', x: { '2': 1 } },
    }));
    const { bytes, manifestBytes } = seal(sealRecords(numeric, GENESIS_HASH, signer.saltFor));
    expect(new TextDecoder().decode(bytes)).toContain('{"10":"a","9":"b"');
    expect(check(bytes, manifestBytes).problems).toEqual([]);
    const text = new TextDecoder().decode(bytes).replace('"10":"a"', '"10":1e999');
    const result = check(new TextEncoder().encode(text), manifestBytes);
    expect(result.problems[0]).toMatchObject({
      seq: 1,
      reason: expect.stringMatching(/canonical/),
    });
  });

  it('names the record whose byte was flipped', () => {
    const { bytes, manifestBytes } = seal();
    const text = new TextDecoder().decode(bytes);
    const at = text.indexOf('message 3');
    const altered = new TextEncoder().encode(`${text.slice(0, at)}massage 3${text.slice(at + 9)}`);
    const result = check(altered, manifestBytes);
    expect(result.problems[0]).toMatchObject({ file: 'seg.jsonl', seq: 4, line: 4 });
    expect(result.problems[0]!.reason).toMatch(/content altered/);
  });

  it('detects a record removed and the rest re-chained without the key', () => {
    const { lines } = seal();
    const forged = sealRecords(
      records(5).filter((r) => r.seq !== 2),
      GENESIS_HASH,
      signer.saltFor,
    );
    const { manifestBytes } = seal(lines);
    const result = check(encodeSegment(forged), manifestBytes);
    expect(result.problems[0]).toMatchObject({ seq: 2, reason: expect.stringMatching(/sequence/) });
  });

  it('refuses a manifest signed by another key', () => {
    const { bytes, manifestBytes } = seal();
    const signed = JSON.parse(new TextDecoder().decode(manifestBytes));
    signed.signature = generateArchiveSigner(signer.kid).signCanonical(signed.manifest);
    const result = check(bytes, new TextEncoder().encode(JSON.stringify(signed)));
    expect(result.problems[0]!.reason).toMatch(/signature invalid/);
  });

  it('still verifies after a content is deleted and the manifest re-signed', () => {
    const { lines } = seal();
    const redacted = lines.map((l) =>
      l.seq === 3
        ? redactLine(l, { reason: 'retention', at: new Date().toISOString(), tombstone: 6 })
        : l,
    );
    const { bytes, manifestBytes } = seal(redacted, 2);
    const result = check(bytes, manifestBytes);
    expect(result.problems).toEqual([]);
    expect(result.redacted).toBe(1);
    expect(new TextDecoder().decode(bytes)).not.toContain('message 2 ');
  });

  it('refuses a content deleted without a re-signed manifest', () => {
    const { lines, manifestBytes } = seal();
    const redacted = lines.map((l) =>
      l.seq === 3
        ? redactLine(l, { reason: 'retention', at: new Date().toISOString(), tombstone: 6 })
        : l,
    );
    const result = check(encodeSegment(redacted), manifestBytes);
    expect(result.problems[0]).toMatchObject({
      seq: 3,
      reason: expect.stringMatching(/signed deletion/),
    });
  });
});

describe('dates checked without the schema', () => {
  it('accepts only what the schema accepts', () => {
    const schema = ArchiveLine.shape.at;
    const samples = [
      '2026-09-01T08:00:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '2000-02-29T00:00:00.000Z',
      '0000-02-29T00:00:00.000Z',
      '2026-02-29T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z',
      '2026-01-01T23:59:60.000Z',
      '2026-01-01T08:00:00Z',
      '2026-01-01T08:00:00.000+02:00',
      '+012026-01-01T08:00:00.000Z',
      '2026-01-01 08:00:00.000Z',
    ];
    for (const at of samples) {
      if (isIsoInstant(at)) expect(schema.safeParse(at).success, at).toBe(true);
    }
    expect(samples.filter(isIsoInstant)).toEqual(samples.slice(0, 4));
  });
});
