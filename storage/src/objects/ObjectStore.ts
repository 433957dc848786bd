/** Metadata of a stored object. */
export interface ObjectInfo {
  key: string;
  size: number;
  contentType: string;
}

/**
 * The object storage port: documents' images, board assets and the trace
 * archive's segments go through it. Keys are `/`-separated paths.
 */
export interface ObjectStore {
  /** Stores bytes under a key, replacing any object already there. */
  put(key: string, body: Uint8Array, contentType?: string): Promise<void>;
  /** Reads an object, or null when there is none. */
  get(key: string): Promise<Uint8Array | null>;
  /** Metadata of an object, or null when there is none. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Removes an object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Every key under a prefix, in lexical order. */
  list(prefix: string): Promise<string[]>;
}

/** Rejects keys that could escape their prefix or confuse S3. */
export function assertKey(key: string): void {
  if (
    key.length === 0 ||
    key.length > 900 ||
    key.startsWith('/') ||
    key.split('/').includes('..')
  ) {
    throw new Error(`invalid object key: ${JSON.stringify(key)}`);
  }
}
