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

/** How transient network failures are retried. */
export interface S3RetryPolicy {
  /** Tries in all, the first included (bounded: a store that is down fails fast). */
  attempts: number;
  /** Pause before the second try; each later pause is this much longer. */
  pauseMs: number;
}

/** Three tries, 100 then 200 ms apart: enough to ride out a reset connection. */
export const DEFAULT_S3_RETRY: S3RetryPolicy = { attempts: 3, pauseMs: 100 };

/**
 * Network failures worth another try. The usual one: Node's HTTP agent keeps
 * connections alive, and reuses one that the server has just closed as idle;
 * the request then fails with ECONNRESET (or EPIPE) though the store is fine.
 */
export function isTransientNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT'
  );
}

/**
 * The object store on the S3 API, through MinIO's client. Every operation
 * of the port is idempotent (a put writes the same bytes under the same key,
 * a delete of a missing object succeeds), so each is retried whole on a
 * transient network failure, a few times at most; any other error is thrown
 * at once.
 */
export class S3ObjectStore implements ObjectStore {
  readonly #client: Client;
  readonly #bucket: string;
  readonly #retry: S3RetryPolicy;

  constructor(where: S3Location, retry: S3RetryPolicy = DEFAULT_S3_RETRY) {
    this.#retry = retry;
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
    if (!(await this.#retrying(() => this.#client.bucketExists(this.#bucket)))) {
      await this.#client.makeBucket(this.#bucket, region);
    }
  }

  /** Runs `work` again after a transient network failure, `attempts` tries in all. */
  async #retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (attempt >= this.#retry.attempts || !isTransientNetworkError(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, this.#retry.pauseMs * attempt));
      }
    }
  }

  async put(key: string, body: Uint8Array, contentType = 'application/octet-stream') {
    assertKey(key);
    const bytes = Buffer.from(body);
    await this.#retrying(() =>
      this.#client.putObject(this.#bucket, key, bytes, bytes.byteLength, {
        'Content-Type': contentType,
      }),
    );
  }

  async get(key: string) {
    assertKey(key);
    // The whole read is retried: a reset can also cut the body short.
    return this.#retrying(async () => {
      try {
        const stream = await this.#client.getObject(this.#bucket, key);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        const whole = Buffer.concat(chunks);
        // A large result has its own memory (a small one may share Node's
        // buffer pool, and is copied out of it): no second copy.
        return whole.byteLength >= Buffer.poolSize
          ? new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength)
          : new Uint8Array(whole);
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertKey(key);
    return this.#retrying(async () => {
      try {
        const stat = await this.#client.statObject(this.#bucket, key);
        const contentType = String(stat.metaData['content-type'] ?? 'application/octet-stream');
        return { key, size: stat.size, contentType };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  async delete(key: string) {
    assertKey(key);
    await this.#retrying(() => this.#client.removeObject(this.#bucket, key));
  }

  async list(prefix: string) {
    // A listing cut short starts again from the beginning.
    return this.#retrying(async () => {
      const keys: string[] = [];
      const stream = this.#client.listObjectsV2(this.#bucket, prefix, true);
      for await (const item of stream as AsyncIterable<{ name?: string }>) {
        if (item.name) keys.push(item.name);
      }
      return keys.sort();
    });
  }
}

function isNotFound(err: unknown) {
  const code = (err as { code?: string }).code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchObject';
}
