import type { ObjectInfo, ObjectStore } from '../objects/ObjectStore';

const WRAPPED = Symbol('preau.archive.resilient');

/** Network failures worth another try: a kept-alive socket the server had closed, a reset. */
function transient(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return (
    code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT'
  );
}

/**
 * The object store with transient network failures retried (three tries,
 * short pauses). Every operation of the port is idempotent (a put writes the
 * same key with the same bytes), so a retry never duplicates anything.
 */
export function resilient(objects: ObjectStore): ObjectStore {
  if ((objects as { [WRAPPED]?: true })[WRAPPED]) return objects;
  const retry = async <T>(work: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (attempt >= 3 || !transient(err)) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  };
  return {
    [WRAPPED]: true,
    put: (key: string, body: Uint8Array, contentType?: string) =>
      retry(() => objects.put(key, body, contentType)),
    get: (key: string) => retry(() => objects.get(key)),
    head: (key: string): Promise<ObjectInfo | null> => retry(() => objects.head(key)),
    delete: (key: string) => retry(() => objects.delete(key)),
    list: (prefix: string) => retry(() => objects.list(prefix)),
  } as ObjectStore;
}
