import { Client } from 'minio';
import { assertKey, type ObjectInfo, type ObjectStore } from './ObjectStore';

/** How to reach an S3-compatible endpoint (MinIO in production, s3rver embedded). */
export interface S3Location {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  bucket: string;
}

/** The object store on the S3 API, through MinIO's client. */
export class S3ObjectStore implements ObjectStore {
  readonly #client: Client;
  readonly #bucket: string;

  constructor(where: S3Location) {
    const url = new URL(where.endpoint);
    this.#client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      useSSL: url.protocol === 'https:',
      accessKey: where.accessKey,
      secretKey: where.secretKey,
      region: where.region,
      pathStyle: true,
    });
    this.#bucket = where.bucket;
  }

  /** Creates the bucket when it does not exist yet. */
  async ensureBucket(region: string) {
    if (!(await this.#client.bucketExists(this.#bucket))) {
      await this.#client.makeBucket(this.#bucket, region);
    }
  }

  async put(key: string, body: Uint8Array, contentType = 'application/octet-stream') {
    assertKey(key);
    await this.#client.putObject(this.#bucket, key, Buffer.from(body), body.byteLength, {
      'Content-Type': contentType,
    });
  }

  async get(key: string) {
    assertKey(key);
    try {
      const stream = await this.#client.getObject(this.#bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertKey(key);
    try {
      const stat = await this.#client.statObject(this.#bucket, key);
      const contentType = String(stat.metaData['content-type'] ?? 'application/octet-stream');
      return { key, size: stat.size, contentType };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string) {
    assertKey(key);
    await this.#client.removeObject(this.#bucket, key);
  }

  async list(prefix: string) {
    const keys: string[] = [];
    const stream = this.#client.listObjectsV2(this.#bucket, prefix, true);
    for await (const item of stream as AsyncIterable<{ name?: string }>) {
      if (item.name) keys.push(item.name);
    }
    return keys.sort();
  }
}

function isNotFound(err: unknown) {
  const code = (err as { code?: string }).code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchObject';
}
