import { randomUUID } from 'node:crypto';
import { Redis } from '@hocuspocus/extension-redis';
import type { afterUnloadDocumentPayload } from '@hocuspocus/server';
import type { Logger } from '@preau/protocol/server';
import { documentName } from './wire';

/** Prefix of the Redis channels the docs nodes share (one per document, one per node for replies). */
export const DOCS_REDIS_PREFIX = 'preau-docs';

/** The Redis channel of one document (what a node subscribes to while the document is loaded). */
export function docChannel(docId: string): string {
  return `${DOCS_REDIS_PREFIX}:${docId}`;
}

/** ioredis' connection options from a `redis://` or `rediss://` URL. */
function redisOptions(url: string) {
  const u = new URL(url);
  const db = Number(u.pathname.slice(1) || 0);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

type Publish = (channel: string | Buffer, message: Buffer) => Promise<number>;

/**
 * Hocuspocus' Redis extension as Préau runs it: documents loaded on several
 * docs nodes stay one document (Yjs sync steps and awareness over Redis
 * Pub/Sub), with two changes.
 *
 * - A node tells the others only what it has stored. Content reaches another
 *   node only in a reply to that node's state vector (a sync step 2 on its
 *   reply channel); such a reply waits until every update this node applied
 *   to the document so far is committed (DocPersistence.stored). A node that
 *   dies or fails to store before the commit has told nobody, so no other
 *   node holds (and acknowledges to a client resending it) a change the
 *   database lacks.
 * - No store lock. The extension takes a Redis lock around Hocuspocus'
 *   debounced `onStoreDocument` so that two nodes do not both write a whole
 *   document. Préau has no such hook: each node stores, before acknowledging
 *   it, each update its own clients sent, and never an update that came from
 *   Redis (DocPersistence skips the 'redis' origin), so every update is
 *   stored and traced once, by the node that received it.
 */
export class NodeRelay extends Redis {
  constructor(deps: {
    url: string;
    log: Logger;
    /** Resolves once this node's stores of the document so far have settled (false: one failed). */
    stored(docId: string): Promise<boolean>;
  }) {
    super({
      ...redisOptions(deps.url),
      prefix: DOCS_REDIS_PREFIX,
      identifier: `docs-${randomUUID()}`,
    });
    const log = deps.log.child({ module: 'docs-relay' });
    for (const client of [this.pub, this.sub]) {
      // ioredis reconnects by itself; an unreachable Redis is reported, not thrown.
      client.on('error', (err: unknown) => log.warn({ err }, 'redis connection error'));
    }
    const replies = `${DOCS_REDIS_PREFIX}#reply:`;
    const publish: Publish = this.pub.publish.bind(this.pub) as Publish;
    const gated: Publish = async (channel, message) => {
      if (!String(channel).startsWith(replies)) return publish(channel, message);
      // The frame is [identifier length][identifier][Hocuspocus message].
      const docId = documentName(new Uint8Array(message.subarray(1 + message[0]!)));
      if (docId === null) return publish(channel, message);
      if (await deps.stored(docId)) return publish(channel, message);
      log.warn({ docId }, 'a store failed: its content is not relayed to other nodes');
      return 0;
    };
    (this.pub as unknown as { publish: Publish }).publish = gated;
  }

  #closed = false;

  override async onStoreDocument(): Promise<void> {}

  override async afterStoreDocument(): Promise<void> {}

  // Documents still unloading when the node closes have nothing to unsubscribe from.
  override async afterUnloadDocument(data: afterUnloadDocumentPayload): Promise<void> {
    if (!this.#closed) await super.afterUnloadDocument(data);
  }

  override async onDestroy(): Promise<void> {
    this.#closed = true;
    await super.onDestroy();
  }
}
