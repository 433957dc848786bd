/// <reference path="../types/s3rver.d.ts" />
import { mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

/** A running local S3 endpoint (s3rver) bound to loopback. */
export interface LocalS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  close(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 (port 0 picks a free one) storing objects in a
 * folder, for the embedded default and for tests. s3rver accepts its fixed
 * development credentials, returned here.
 */
export async function startLocalS3(directory: string, port = 0): Promise<LocalS3> {
  await mkdir(directory, { recursive: true });
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
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    close: () => server.close(),
  };
}
