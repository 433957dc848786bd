import type { OutboxEntry } from './outbox';

/**
 * Where a page keeps its chat messages not acknowledged yet, so that a
 * reload sends them again (with the same ids: the server stores each once)
 * instead of losing them. Kept in the tab's sessionStorage, one key per
 * person and conversation; signing out (or someone else signing in) clears
 * them, like the local copies of documents.
 */
export interface OutboxStore {
  load(): OutboxEntry[];
  save(entries: readonly OutboxEntry[]): void;
}

/** Every kept outbox's key starts with this, then the person's id and the conversation's. */
const PREFIX = 'preau-outbox:';

/** The sessionStorage key of a person's outbox in one conversation. */
export function outboxKey(person: string, conversation: string): string {
  return `${PREFIX}${person}:${conversation}`;
}

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch (err) {
    // Storage refused by the browser's settings: the outbox lives in memory only.
    console.warn('no session storage for the chat outbox', err);
    return null;
  }
}

function readEntries(raw: string | null): OutboxEntry[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    console.warn('unreadable kept chat outbox', err);
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((e: Partial<OutboxEntry> | null) =>
    e &&
    typeof e.clientId === 'string' &&
    typeof e.text === 'string' &&
    (e.state === 'sending' || e.state === 'failed')
      ? [
          {
            clientId: e.clientId,
            text: e.text,
            state: e.state,
            error: typeof e.error === 'string' ? e.error : null,
          },
        ]
      : [],
  );
}

/**
 * Stores cleared at a sign-out: this page keeps nothing in them any more.
 * The page goes on a moment (its chats' outboxes may change, a retry may
 * fire) while the sign-out leaves; without this, a message just cleared was
 * written back, and sent by the next page of the tab.
 */
const signedOut = new WeakSet<Storage>();

/** A person's outbox for one conversation, kept in `store` (the tab's sessionStorage by default). */
export function keptOutbox(
  person: string,
  conversation: string,
  store: Storage | null = storage(),
): OutboxStore {
  const key = outboxKey(person, conversation);
  return {
    load: () => (store ? readEntries(store.getItem(key)) : []),
    save: (entries) => {
      if (!store || signedOut.has(store)) return;
      try {
        if (entries.length === 0) store.removeItem(key);
        else store.setItem(key, JSON.stringify(entries));
      } catch (err) {
        // Full or refused: the messages stay in the page (they are still shown and sent).
        console.warn('chat outbox not kept', err);
      }
    },
  };
}

/**
 * Deletes the kept outboxes of this tab: all of them (signing out: nothing
 * is kept in them by this page afterwards), or all but those of `keep` (the
 * person signed in now).
 */
export function clearKeptOutboxes(keep?: string, store: Storage | null = storage()): number {
  if (!store) return 0;
  if (keep === undefined) signedOut.add(store);
  const gone: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (key?.startsWith(PREFIX) && (keep === undefined || !key.startsWith(`${PREFIX}${keep}:`)))
      gone.push(key);
  }
  for (const key of gone) store.removeItem(key);
  return gone.length;
}
