import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalS3 } from './localS3';
import { S3ObjectStore } from './S3ObjectStore';

async function open(directory: string) {
  const local = await startLocalS3(directory);
  const store = new S3ObjectStore({ ...local, region: 'us-east-1', bucket: 'preau' });
  await store.ensureBucket('us-east-1');
  return { local, store };
}

describe('the embedded S3 endpoint after a kill', () => {
  const directory = mkdtempSync(join(tmpdir(), 'preau-local-s3-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('starts again, lists and serves every object, when a kill tore the metadata of one', async () => {
    const segment = new TextEncoder().encode('{"seq":1}\n{"seq":2}\n');
    const image = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const first = await open(directory);
    await first.store.put('archive/s1/segment-1', segment, 'application/x-ndjson');
    await first.store.put('docs/d1/image.png', image, 'image/png');
    await first.local.close();

    // What a SIGKILL inside s3rver's writeFile leaves: an emptied metadata file.
    const files = (await readdir(directory, { recursive: true })).map(String);
    const metadata = files.find((f) => f.includes('segment-1._S3rver_metadata.json'))!;
    await writeFile(join(directory, metadata), '');

    const again = await open(directory);
    try {
      expect(await again.store.list('archive/')).toEqual(['archive/s1/segment-1']);
      expect(await again.store.list('docs/')).toEqual(['docs/d1/image.png']);
      expect(await again.store.get('archive/s1/segment-1')).toEqual(segment);
      expect(await again.store.get('docs/d1/image.png')).toEqual(image);
      expect((await again.store.head('docs/d1/image.png'))?.contentType).toBe('image/png');
      await again.store.put('archive/s1/segment-1', segment, 'application/x-ndjson');
      expect((await again.store.head('archive/s1/segment-1'))?.contentType).toBe(
        'application/x-ndjson',
      );
    } finally {
      await again.local.close();
    }
  });

  it('removes at its start what a write killed halfway left, and nothing else', async () => {
    const own = mkdtempSync(join(tmpdir(), 'preau-local-s3-'));
    const segment = new TextEncoder().encode('{"seq":1}\n');
    try {
      const first = await open(own);
      await first.store.put('archive/s3/segment-1', segment, 'application/x-ndjson');
      await first.local.close();
      // What a kill in the middle of a write leaves, and a file that is not one of those.
      const leftover = join(own, `.${randomUUID()}.part`);
      await writeFile(leftover, new Uint8Array(4096));
      await writeFile(join(own, 'notes.part'), 'kept');
      const again = await open(own);
      try {
        expect((await readdir(own)).sort()).toEqual(['notes.part', 'preau']);
        expect(await again.store.list('archive/')).toEqual(['archive/s3/segment-1']);
        expect(await again.store.get('archive/s3/segment-1')).toEqual(segment);
      } finally {
        await again.local.close();
      }
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('answers a write once the object, its metadata and its folders are on the disk', async () => {
    const own = mkdtempSync(join(tmpdir(), 'preau-local-s3-'));
    const { local, store } = await open(own);
    try {
      const first = local.flushes;
      const segment = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
      await store.put('archive/s2/segment-1', segment, 'application/x-ndjson');
      // The object's file, its checksum, its metadata, and each folder up to the root.
      const afterPut = local.flushes;
      expect(afterPut - first).toBeGreaterThanOrEqual(6);
      expect(await store.get('archive/s2/segment-1')).toEqual(segment);
      // Written again with other bytes: the new ones, whole, and nothing left beside them.
      const shorter = new TextEncoder().encode('{"seq":1}\n');
      await store.put('archive/s2/segment-1', shorter, 'application/x-ndjson');
      expect(local.flushes).toBeGreaterThan(afterPut);
      expect(await store.get('archive/s2/segment-1')).toEqual(shorter);
      expect(await store.list('archive/')).toEqual(['archive/s2/segment-1']);
      // Nothing left beside the bucket: the written files were renamed into it.
      expect(await readdir(own)).toEqual(['preau']);
      expect((await store.head('archive/s2/segment-1'))?.contentType).toBe('application/x-ndjson');
      // A deletion is answered once its folder is flushed.
      const beforeDelete = local.flushes;
      await store.delete('archive/s2/segment-1');
      expect(local.flushes).toBeGreaterThan(beforeDelete);
      expect(await store.list('archive/')).toEqual([]);
    } finally {
      await local.close();
      rmSync(own, { recursive: true, force: true });
    }
  });
});
