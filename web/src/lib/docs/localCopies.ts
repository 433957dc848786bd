/**
 * The names of the local copies of documents kept in this browser, and
 * their deletion. Apart from LocalCopy (which pulls Yjs in) so that the
 * layout can clear them without loading an editor's code.
 */

import { clearOfflinePages } from '#lib/docs/offlinePages';

/** Every local copy's IndexedDB name starts with this, then the person's id and the document's. */
const PREFIX = 'preau-doc:';

/** Where the names of the local copies made in this browser are listed (for browsers without `indexedDB.databases()`). */
const LIST_KEY = 'preau-local-docs';

/** The IndexedDB name of a person's local copy of a document. */
export function localCopyName(person: string, docId: string): string {
  return `${PREFIX}${person}:${docId}`;
}

function listedNames(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(LIST_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string') : [];
  } catch (err) {
    console.warn('unreadable list of local copies', err);
    return [];
  }
}

/** Adds a local copy to the list kept in this browser. */
export function rememberLocalCopy(name: string) {
  const names = listedNames();
  if (names.includes(name)) return;
  localStorage.setItem(LIST_KEY, JSON.stringify([...names, name]));
}

/** Names of the local copies in this browser: listed ones and any IndexedDB base of ours. */
async function localCopyNames(): Promise<string[]> {
  const names = new Set(listedNames());
  if (typeof indexedDB.databases === 'function') {
    for (const db of await indexedDB.databases()) {
      if (db.name?.startsWith(PREFIX)) names.add(db.name);
    }
  }
  return [...names];
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`));
    // Another tab still holds it open: the deletion completes once that tab closes it.
    request.onblocked = () => resolve();
  });
}

/**
 * Deletes the local copies of documents kept in this browser: all of them
 * (signing out, a shared school computer), or all but those of `keep` (the
 * person signed in now: copies left by someone else go).
 */
export async function clearLocalCopies(keep?: string): Promise<number> {
  const names = await localCopyNames();
  const gone = names.filter((n) => keep === undefined || !n.startsWith(`${PREFIX}${keep}:`));
  await Promise.all(gone.map(deleteDatabase));
  // The kept pages of documents were someone else's, or nobody is signed in any more.
  if (keep === undefined || gone.length > 0) await clearOfflinePages();
  const left = listedNames().filter((n) => !gone.includes(n));
  if (left.length > 0) localStorage.setItem(LIST_KEY, JSON.stringify(left));
  else localStorage.removeItem(LIST_KEY);
  return gone.length;
}
