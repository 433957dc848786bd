import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3 } from '../../../tests/support/s3';
import { MemoryObjectStore } from './MemoryObjectStore';
import type { ObjectStore } from './ObjectStore';

/** One contract for every implementation of the object storage port. */
function objectStoreContract(
  name: string,
  open: () => Promise<{ store: ObjectStore; close(): Promise<void> }>,
) {
  describe(`object store on ${name}`, () => {
    let store: ObjectStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(() => close());

    it('stores, reads and describes an object', async () => {
      const bytes = new TextEncoder().encode('Bonjour, préau !');
      await store.put('docs/a/image.png', bytes, 'image/png');
      expect(await store.get('docs/a/image.png')).toEqual(bytes);
      expect(await store.head('docs/a/image.png')).toEqual({
        key: 'docs/a/image.png',
        size: bytes.byteLength,
        contentType: 'image/png',
      });
    });

    it('answers null for a missing object and deletes idempotently', async () => {
      expect(await store.get('nothing/here')).toBeNull();
      expect(await store.head('nothing/here')).toBeNull();
      await store.put('tmp/x', new Uint8Array([1]));
      await store.delete('tmp/x');
      await store.delete('tmp/x');
      expect(await store.get('tmp/x')).toBeNull();
    });

    it('lists keys under a prefix in order, and only those', async () => {
      for (const key of ['seg/s1/0002', 'seg/s1/0001', 'seg/s2/0001']) {
        await store.put(key, new Uint8Array([0]));
      }
      expect(await store.list('seg/s1/')).toEqual(['seg/s1/0001', 'seg/s1/0002']);
    });

    it('replaces an object written twice and keeps binary data exact', async () => {
      const binary = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
      await store.put('bin/k', new Uint8Array([9]));
      await store.put('bin/k', binary);
      expect(await store.get('bin/k')).toEqual(binary);
    });

    it('refuses keys that escape their prefix', async () => {
      await expect(store.put('../etc/passwd', new Uint8Array([1]))).rejects.toThrow(
        'invalid object key',
      );
      await expect(store.put('/abs', new Uint8Array([1]))).rejects.toThrow('invalid object key');
    });
  });
}

objectStoreContract('memory', async () => ({
  store: new MemoryObjectStore(),
  close: async () => {},
}));
objectStoreContract('S3 (local s3rver endpoint)', async () => startTestS3());
