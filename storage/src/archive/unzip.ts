import { inflateRawSync } from 'node:zlib';
import { unzipSync } from 'fflate';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
const STORED = 0;
const DEFLATED = 8;
/** The end record is 22 bytes, followed by a comment of at most 65,535. */
const END_SEARCH = 22 + 0xffff;

/**
 * The entries of a zip, by name, with the system's zlib: stored entries are
 * views of the archive's bytes (no copy), deflated ones are inflated
 * natively. A zip this reader does not handle (ZIP64, a method other than
 * stored or deflate, a damaged directory) is read by fflate instead, so no
 * archive fflate reads is refused here; what fflate cannot read either
 * throws. CRC-32s are not checked, as fflate does not: the bundle's SHA-256s
 * are the proof, and a damaged byte must reach the verifier so that it can
 * name the record that holds it.
 */
export function unzipEntries(zip: Uint8Array): Record<string, Uint8Array> {
  return readZip(zip) ?? Object.assign(Object.create(null), unzipSync(zip));
}

function readZip(zip: Uint8Array): Record<string, Uint8Array> | null {
  const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - END_SEARCH); i--) {
    if (buf.readUInt32LE(i) === END_OF_CENTRAL) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const entries: Record<string, Uint8Array> = Object.create(null);
  for (let n = 0; n < count; n++) {
    if (at + 46 > end || buf.readUInt32LE(at) !== CENTRAL_HEADER) return null;
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    // 0xffffffff marks sizes or offsets kept in a ZIP64 field.
    if (compressed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) return null;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL_HEADER) return null;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) return null;
    const data = zip.subarray(start, start + compressed);
    if (method === STORED) entries[name] = data;
    else if (method === DEFLATED) {
      try {
        entries[name] = new Uint8Array(inflateRawSync(data));
      } catch {
        // Damaged compressed data: fflate decides (and throws when it cannot read it either).
        return null;
      }
    } else return null;
  }
  return entries;
}
