import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalS3, S3ObjectStore, startLocalS3 } from '@preau/storage';

/** A local S3 endpoint in a temporary folder, with a bucket ready. */
export async function startTestS3(
  bucket = 'preau-test',
): Promise<LocalS3 & { store: S3ObjectStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'preau-s3-'));
  const s3 = await startLocalS3(dir);
  const store = new S3ObjectStore({ ...s3, region: 'us-east-1', bucket });
  await store.ensureBucket('us-east-1');
  return {
    ...s3,
    store,
    close: async () => {
      await s3.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
