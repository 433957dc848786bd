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
  /** Its file system store (used to repair a metadata file a kill tore: localS3.ts). */
  interface FilesystemStore {
    getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
    getResourcePath(bucket: string, key: string, resource: string): string;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    store: FilesystemStore;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
