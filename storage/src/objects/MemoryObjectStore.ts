import { assertKey, type ObjectInfo, type ObjectStore } from './ObjectStore';

/** An object store held in memory, for unit tests of logic built on the port. */
export class MemoryObjectStore implements ObjectStore {
  #objects = new Map<string, { body: Uint8Array; contentType: string }>();

  async put(key: string, body: Uint8Array, contentType = 'application/octet-stream') {
    assertKey(key);
    this.#objects.set(key, { body: body.slice(), contentType });
  }

  async get(key: string) {
    return this.#objects.get(key)?.body.slice() ?? null;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const o = this.#objects.get(key);
    return o ? { key, size: o.body.byteLength, contentType: o.contentType } : null;
  }

  async delete(key: string) {
    this.#objects.delete(key);
  }

  async list(prefix: string) {
    return [...this.#objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
