// s3rver ships no types; this declares the part Préau uses.
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    directory: string;
    silent?: boolean;
    resetOnClose?: boolean;
  }
  /** An object as s3rver's store receives it. */
  interface S3Object {
    bucket: string;
    key: string;
    /** The request's body (a stream), or bytes. */
    content: AsyncIterable<Uint8Array> | Uint8Array;
    metadata: Record<string, string>;
  }
  /**
   * Its file system store (used to repair a metadata file a kill tore, and to
   * flush what a write stored to the disk: localS3.ts).
   */
  interface FilesystemStore {
    rootDirectory: string;
    getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
    getResourcePath(bucket: string, key: string, resource: string): string;
    putObject(object: S3Object): Promise<{ size: number; md5: string }>;
    putMetadata(
      bucket: string,
      key: string,
      metadata: Record<string, string>,
      md5?: string,
    ): Promise<void>;
    deleteObject(bucket: string, key: string): Promise<void>;
    copyObject(
      srcBucket: string,
      srcKey: string,
      destBucket: string,
      destKey: string,
      replacementMetadata?: unknown,
    ): Promise<Record<string, unknown>>;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    store: FilesystemStore;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
