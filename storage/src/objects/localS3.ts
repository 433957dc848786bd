/// <reference path="../types/s3rver.d.ts" />
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative } from 'node:path';
import S3rver, { type FilesystemStore } from 's3rver';

/** A running local S3 endpoint (s3rver) bound to loopback. */
export interface LocalS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  /** Files and folders flushed to the disk (`fsync`) since the start. */
  readonly flushes: number;
  close(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 (port 0 picks a free one) storing objects in a
 * folder, for the embedded default and for tests. s3rver accepts its fixed
 * development credentials, returned here.
 */
export async function startLocalS3(directory: string, port = 0): Promise<LocalS3> {
  await mkdir(directory, { recursive: true });
  await removeUnfinishedWrites(directory);
  const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true });
  // s3rver writes an object's metadata after the object, with a plain
  // `writeFile`, which empties the file before filling it: a process killed
  // in between leaves an empty JSON that s3rver failed to parse on every
  // read and every listing reaching the object (HTTP 500), so the embedded
  // server never started again after such a kill. Such a file is removed
  // when met: s3rver then serves the object as it is (what the file held,
  // its content type, went with the kill). Nothing is scanned at start.
  const store = server.store;
  const readMetadata = store.getMetadata.bind(store);
  store.getMetadata = async (bucket, key) => {
    try {
      return await readMetadata(bucket, key);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      await rm(store.getResourcePath(bucket, key, 'metadata.json'), { force: true });
      return readMetadata(bucket, key);
    }
  };
  const flushed = flushWrites(store);
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    get flushes() {
      return flushed.count;
    },
    close: () => server.close(),
  };
}

/** The file an object is written to before it is renamed into place (see flushWrites). */
const PART = /^\.[0-9a-f-]{36}\.part$/;

/**
 * Objects being written when the process was killed: their files, in the
 * store's root folder (where s3rver sees no bucket in a file), are removed.
 * Only the root is read, never the buckets.
 */
async function removeUnfinishedWrites(directory: string): Promise<void> {
  for (const name of await readdir(directory)) {
    if (PART.test(name)) await rm(join(directory, name), { force: true });
  }
}

/**
 * s3rver answers a write once its files are handed to the operating system,
 * not once they are on the disk, and may answer before the object's file is
 * even complete (it ends the file's stream without waiting for it). The
 * archiver deletes a segment's records from the outbox once its write is
 * answered, and the database flushes that deletion at its commit: a segment
 * lost to a power cut would be lost for good. So here an object is written
 * to a file of its own (in the store's root folder, where a kill's leftover
 * is found and removed at the next start), flushed to the disk (`fsync`),
 * then renamed into place (a kill or a power cut leaves the object whole,
 * old or new, never torn), and the write is answered once its checksum and
 * metadata files and its folder (and those it created) are flushed too, as
 * MinIO does before it answers. A copy is flushed the same way, and a
 * deletion's folder.
 */
function flushWrites(store: FilesystemStore): { count: number } {
  const flushed = { count: 0 };
  /** Flushes a file or folder; false when there is none. */
  const flush = async (path: string) => {
    const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (!handle) return false;
    try {
      await handle.sync();
      flushed.count += 1;
      return true;
    } finally {
      await handle.close();
    }
  };
  /**
   * The object's checksum and metadata files, then its folder and the
   * folders above it up to `upTo` (the parent of the first folder the write
   * created: their entries changed too).
   */
  const flushAround = async (bucket: string, key: string, upTo?: string) => {
    const object = store.getResourcePath(bucket, key, 'object');
    await flush(store.getResourcePath(bucket, key, 'object.md5'));
    await flush(store.getResourcePath(bucket, key, 'metadata.json'));
    const top = upTo ?? dirname(object);
    for (let dir = dirname(object); ; dir = dirname(dir)) {
      await flush(dir);
      if (dir === top || relative(store.rootDirectory, dir) === '' || dir === dirname(dir)) break;
    }
  };
  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    const created = await mkdir(dirname(path), { recursive: true });
    // Outside every bucket: no listing meets it while it is written.
    const part = join(store.rootDirectory, `.${randomUUID()}.part`);
    const md5 = createHash('md5');
    let size = 0;
    const handle = await open(part, 'w');
    try {
      const chunks = object.content instanceof Uint8Array ? [object.content] : object.content;
      for await (const chunk of chunks) {
        md5.update(chunk);
        size += chunk.byteLength;
        await handle.write(chunk);
      }
      await handle.sync();
      flushed.count += 1;
    } catch (err) {
      await handle.close();
      await rm(part, { force: true });
      throw err;
    }
    await handle.close();
    await rename(part, path);
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    await flushAround(object.bucket, object.key, created && dirname(created));
    return { size, md5: digest };
  };
  const copyObject = store.copyObject.bind(store);
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const copied = await copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
    await flush(store.getResourcePath(destBucket, destKey, 'object'));
    await flushAround(destBucket, destKey, store.rootDirectory);
    return copied;
  };
  // A deletion (an erasure, a retention's end) is answered once the folder
  // that lost the object is flushed (or, when s3rver removed that folder as
  // empty, the nearest one left): a power cut cannot bring it back.
  const deleteObject = store.deleteObject.bind(store);
  store.deleteObject = async (bucket, key) => {
    await deleteObject(bucket, key);
    for (let dir = dirname(store.getResourcePath(bucket, key, 'object')); ; dir = dirname(dir)) {
      if ((await flush(dir)) || relative(store.rootDirectory, dir) === '' || dir === dirname(dir))
        break;
    }
  };
  return flushed;
}
