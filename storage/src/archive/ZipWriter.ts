import { createHash } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
/** Version 2.0: deflate, folders; what every unzip tool reads. */
const VERSION = 20;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;
const STORED = 0;
const DEFLATED = 8;
/** Without ZIP64 records, a zip counts entries and offsets on 16 and 32 bits. */
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;

/** One entry added to a zip: its name, and the SHA-256 and size of its bytes. */
export interface ZipEntry {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Writes a standard zip archive entry by entry, with the system's zlib
 * (native deflate, CRC-32): each entry's bytes are compressed, checksummed
 * and hashed (SHA-256) as they are added, and the archive's own SHA-256 is
 * computed as its parts are written, so nothing reads the files or the
 * archive a second time. Entries are stored (no compression) or deflated.
 */
export class ZipWriter {
  readonly #parts: Uint8Array[] = [];
  readonly #central: Buffer[] = [];
  readonly #archive = createHash('sha256');
  readonly #time: number;
  readonly #date: number;
  #offset = 0;
  #done = false;

  /** `mtime` becomes every entry's modification time (local time, as zip tools read it). */
  constructor(mtime: Date) {
    this.#time =
      (mtime.getHours() << 11) | (mtime.getMinutes() << 5) | Math.floor(mtime.getSeconds() / 2);
    this.#date =
      (Math.max(mtime.getFullYear() - 1980, 0) << 9) |
      ((mtime.getMonth() + 1) << 5) |
      mtime.getDate();
  }

  /** Adds an entry; `deflate: false` keeps its bytes as they are inside the zip. */
  add(path: string, bytes: Uint8Array, opts: { deflate: boolean }): ZipEntry {
    if (this.#done) throw new Error('zip already finished');
    if (this.#central.length >= MAX_ENTRIES) throw new Error('too many entries for a zip');
    const name = Buffer.from(path, 'utf8');
    const data = opts.deflate ? deflateRawSync(bytes, { level: 6 }) : bytes;
    const method = opts.deflate ? DEFLATED : STORED;
    const crc = crc32(bytes);
    const header = Buffer.alloc(30 + name.length);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(UTF8_NAMES, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(this.#time, 10);
    header.writeUInt16LE(this.#date, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(data.byteLength, 18);
    header.writeUInt32LE(bytes.byteLength, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(0, 28);
    name.copy(header, 30);
    const central = Buffer.alloc(46 + name.length);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(VERSION, 4);
    central.writeUInt16LE(VERSION, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(this.#time, 12);
    central.writeUInt16LE(this.#date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.byteLength, 20);
    central.writeUInt32LE(bytes.byteLength, 24);
    central.writeUInt16LE(name.length, 28);
    // Extra field, comment, disk number, internal and external attributes: none.
    central.writeUInt32LE(this.#offset, 42);
    name.copy(central, 46);
    this.#central.push(central);
    this.#write(header);
    this.#write(data);
    return {
      path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.byteLength,
    };
  }

  /** Writes the central directory; returns the whole archive and its SHA-256. */
  finish(): { bytes: Uint8Array; sha256: string } {
    if (this.#done) throw new Error('zip already finished');
    this.#done = true;
    const start = this.#offset;
    for (const c of this.#central) this.#write(c);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL, 0);
    end.writeUInt16LE(this.#central.length, 8);
    end.writeUInt16LE(this.#central.length, 10);
    end.writeUInt32LE(this.#offset - start, 12);
    end.writeUInt32LE(start, 16);
    this.#write(end);
    const whole = Buffer.concat(this.#parts, this.#offset);
    this.#parts.length = 0;
    return {
      bytes: new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength),
      sha256: this.#archive.digest('hex'),
    };
  }

  #write(part: Uint8Array) {
    if (this.#offset + part.byteLength > MAX_OFFSET) throw new Error('zip too large (4 GiB)');
    this.#parts.push(part);
    this.#archive.update(part);
    this.#offset += part.byteLength;
  }
}
