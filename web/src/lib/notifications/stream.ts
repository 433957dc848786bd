import { Notification } from '@preau/protocol';

/**
 * One notification stream per person for all of a browser's tabs.
 *
 * Each tab holding its own Server-Sent Events stream costs one HTTP/1.1
 * connection, and a browser opens about six per host: with six tabs open,
 * the seventh request (a document's token, a page) would wait for ever. So
 * one tab, the leader, holds the stream and passes each notification to the
 * person's other tabs over a BroadcastChannel. The leader is whoever holds
 * a Web Lock named after the person; the other tabs wait in that lock's
 * queue, so when the leader closes the next one takes over by itself.
 * Browsers without these APIs keep one stream per tab, as before.
 *
 * Notifications are a person's: the lock and the channel are named after
 * the person the tab shows, and the stream's first event names the person
 * the server signed it for (the browser's session may have changed in
 * another tab since this page loaded): a stream for anyone else is closed
 * at once and nothing it carried is passed on.
 */

/** Wait before opening the stream again when the browser gave up on it. */
const RECONNECT_MS = 5_000;
/** The notification events the server sends (the types of the `Notification` union). */
const TYPES = ['invitation', 'invitation.answered', 'invitation.withdrawn', 'membership'] as const;
/** The event the server sends first, naming the person the stream is for. */
export const HELLO_EVENT = 'hello';

/** What this tab does for the person's notifications (set on `<html data-notifications>`). */
export type StreamRole = 'leader' | 'follower' | 'alone';

/** One notification passed from the leader to the other tabs. */
interface Relayed {
  person: string;
  notification: unknown;
}

const name = (person: string) => `preau-notifications:${person}`;

function parse(data: unknown): Notification | null {
  const parsed = Notification.safeParse(data);
  if (!parsed.success) {
    console.warn('unreadable notification', parsed.error);
    return null;
  }
  return parsed.data;
}

/**
 * Opens `/api/me/notifications` for `person` until the returned function is
 * called; the browser reconnects by itself after a network failure, and
 * this opens the stream again if the browser gave up. Notifications count
 * only once the server said the stream is `person`'s.
 */
function openStream(person: string, receive: (n: Notification) => void): () => void {
  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  /** The current connection's person was checked (reset at each reconnection). */
  let confirmed = false;
  const onMessage = (event: MessageEvent<string>) => {
    if (!confirmed) return;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch (err) {
      console.warn('unreadable notification', err);
      return;
    }
    const n = parse(data);
    if (n) receive(n);
  };
  const onHello = (event: MessageEvent<string>) => {
    let who: unknown;
    try {
      who = (JSON.parse(event.data) as { person?: unknown }).person;
    } catch (err) {
      console.warn('unreadable notification stream greeting', err);
    }
    if (who === person) {
      confirmed = true;
      return;
    }
    // Someone else signed in in this browser since this page loaded: not theirs to see here.
    stopped = true;
    source?.close();
  };
  const open = () => {
    confirmed = false;
    source = new EventSource('/api/me/notifications');
    source.addEventListener('open', () => {
      confirmed = false;
    });
    source.addEventListener(HELLO_EVENT, onHello as EventListener);
    for (const type of TYPES) source.addEventListener(type, onMessage as EventListener);
    source.onerror = () => {
      if (source?.readyState !== EventSource.CLOSED || stopped) return;
      retry = setTimeout(open, RECONNECT_MS);
    };
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    source?.close();
  };
}

function setRole(role: StreamRole | null) {
  if (role) document.documentElement.dataset.notifications = role;
  else delete document.documentElement.dataset.notifications;
}

/**
 * Receives `person`'s notifications in this tab (through the leader's
 * stream, or its own) until the returned function is called.
 */
export function shareNotifications(person: string, receive: (n: Notification) => void): () => void {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks || typeof BroadcastChannel === 'undefined') {
    setRole('alone');
    const stop = openStream(person, receive);
    return () => {
      stop();
      setRole(null);
    };
  }

  const channel = new BroadcastChannel(name(person));
  channel.onmessage = (event: MessageEvent<Relayed>) => {
    if (event.data?.person !== person) return;
    const n = parse(event.data.notification);
    if (n) receive(n);
  };
  setRole('follower');

  const quit = new AbortController();
  let release: (() => void) | null = null;
  locks
    .request(name(person), { signal: quit.signal }, async () => {
      if (quit.signal.aborted) return;
      setRole('leader');
      const stop = openStream(person, (n) => {
        receive(n);
        channel.postMessage({ person, notification: n } satisfies Relayed);
      });
      // Held for the tab's life (or until the person signs out): the lock goes with the tab.
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      stop();
    })
    .catch((err: unknown) => {
      if ((err as { name?: string }).name !== 'AbortError')
        console.error('notification leadership failed', err);
    });

  return () => {
    quit.abort();
    release?.();
    channel.close();
    setRole(null);
  };
}
