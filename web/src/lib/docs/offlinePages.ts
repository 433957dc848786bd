/**
 * What the page and the service worker agree on to open a document without
 * the network: the cache of document pages, the message asking the worker to
 * keep what a page loaded, and which paths are document pages.
 */

/** The cache of the pages of documents opened (one per path; cleared at sign-out). */
export const PAGES_CACHE = 'preau-pages';

/** The message a document page sends its service worker: `{ type, urls }`. */
export const KEEP_MESSAGE = 'preau-keep';

/** Whether a path is a pad's or a board's page (`/docs/<id>`). */
export function isDocPage(pathname: string): boolean {
  return /^\/docs\/d[0-9a-z]+$/.test(pathname);
}

/**
 * Asks the service worker (when there is one) to keep this document page
 * and everything it loaded, so that a reload without the network opens it.
 */
export async function keepForOffline(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  const urls = [
    location.pathname,
    ...performance.getEntriesByType('resource').map((entry) => entry.name),
  ];
  registration.active?.postMessage({ type: KEEP_MESSAGE, urls });
}

/** Deletes the kept pages of documents (signing out, someone else signing in). */
export async function clearOfflinePages(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(PAGES_CACHE);
}
