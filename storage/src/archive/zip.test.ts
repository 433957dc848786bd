import { createHash } from 'node:crypto';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { unzipEntries } from './unzip';
import { ZipWriter } from './ZipWriter';

const text = (s: string) => new TextEncoder().encode(s);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function sample(): Record<string, Uint8Array> {
  return {
    'segments/class_x/000000000001-000000000002.jsonl': text('{"a":1}\n{"b":2}\n'),
    'documents/class_x/pad_1/état.html': text(`<p>${'répété '.repeat(2000)}</p>`),
    'empty.txt': new Uint8Array(0),
    'random.bin': new Uint8Array(5000).map((_, i) => (i * 2654435761) >>> 24),
  };
}

function written(files: Record<string, Uint8Array>) {
  const zip = new ZipWriter(new Date(2026, 8, 1, 8, 30, 12));
  const listed = Object.entries(files).map(([path, bytes]) =>
    zip.add(path, bytes, { deflate: !path.startsWith('segments/') }),
  );
  return { listed, ...zip.finish() };
}

describe('zip writer and reader', () => {
  it('write a zip that fflate reads back byte for byte, with each entry and the whole hashed', () => {
    const files = sample();
    const { listed, bytes, sha256 } = written(files);
    expect(sha256).toBe(sha(bytes));
    expect(listed).toEqual(
      Object.entries(files).map(([path, b]) => ({ path, sha256: sha(b), size: b.byteLength })),
    );
    const back = unzipSync(bytes);
    expect(Object.keys(back)).toEqual(Object.keys(files));
    for (const [path, b] of Object.entries(files))
      expect(Buffer.from(back[path]!)).toEqual(Buffer.from(b));
    // Segments are stored: their signed bytes appear as they are inside the zip.
    expect(Buffer.from(bytes).includes(Buffer.from('{"a":1}\n{"b":2}\n'))).toBe(true);
  });

  it('read what either writer made, the same as fflate reads it', () => {
    const files = sample();
    for (const zip of [written(files).bytes, zipSync(files), zipSync(files, { level: 0 })]) {
      const entries = unzipEntries(zip);
      const reference = unzipSync(zip);
      expect(Object.keys(entries).sort()).toEqual(Object.keys(reference).sort());
      for (const [path, b] of Object.entries(reference))
        expect(Buffer.from(entries[path]!)).toEqual(Buffer.from(b));
    }
  });

  it('hand a flipped byte of a stored entry to the verifier, and refuse what is no zip', () => {
    const { bytes } = written(sample());
    const altered = bytes.slice();
    const at = Buffer.from(altered).indexOf('{"b":2}');
    altered[at + 5] = '3'.charCodeAt(0);
    const entries = unzipEntries(altered);
    expect(
      new TextDecoder().decode(entries['segments/class_x/000000000001-000000000002.jsonl']),
    ).toBe('{"a":1}\n{"b":3}\n');
    expect(() => unzipEntries(text('not a zip at all'))).toThrow();
    expect(() => unzipEntries(bytes.subarray(0, bytes.byteLength - 30))).toThrow();
  });
});
