import { type Invitation, Notification } from '@preau/protocol';

/** A short message shown in the page's corner; invitations carry their answer buttons. */
export type Toast =
  | { id: number; kind: 'invitation'; invitation: Invitation }
  | { id: number; kind: 'answered'; personName: string; spaceName: string; accepted: boolean };

/** How long an answer's toast stays (an invitation's stays until answered or closed). */
const ANSWER_TOAST_MS = 10_000;
/** Wait before opening the stream again when the browser gave up on it. */
const RECONNECT_MS = 5_000;

// Browser-only state: only `start` (called in the browser) ever changes it,
// so the server's rendering always reads the empty initial values.
let nextToast = 1;

/** The signed-in person's live notifications: pending count, new invitations, toasts. */
export const notifications = $state({
  /** Pending invitations: the count the page loaded with, then followed live. */
  pending: 0,
  /** Invitations that arrived since the page loaded, newest first. */
  arrived: [] as Invitation[],
  /** Invitations answered or withdrawn since the page loaded. */
  gone: [] as string[],
  toasts: [] as Toast[],
});

/** Sets the count from the server (a page load); live events move it from there. */
export function setPending(count: number) {
  notifications.pending = count;
}

/** Marks an invitation answered (or withdrawn): its toast closes and the count drops. */
export function settle(invitationId: string) {
  if (notifications.gone.includes(invitationId)) return;
  notifications.gone.push(invitationId);
  notifications.pending = Math.max(0, notifications.pending - 1);
  notifications.toasts = notifications.toasts.filter(
    (t) => t.kind !== 'invitation' || t.invitation.id !== invitationId,
  );
}

/** Closes one toast. */
export function dismiss(id: number) {
  notifications.toasts = notifications.toasts.filter((t) => t.id !== id);
}

function receive(n: Notification) {
  switch (n.type) {
    case 'invitation':
      if (notifications.arrived.some((i) => i.id === n.invitation.id)) return;
      notifications.arrived.unshift(n.invitation);
      notifications.pending += 1;
      notifications.toasts.push({ id: nextToast++, kind: 'invitation', invitation: n.invitation });
      return;
    case 'invitation.withdrawn':
      settle(n.invitationId);
      return;
    case 'invitation.answered': {
      const id = nextToast++;
      notifications.toasts.push({
        id,
        kind: 'answered',
        personName: n.personName,
        spaceName: n.spaceName,
        accepted: n.accepted,
      });
      setTimeout(() => dismiss(id), ANSWER_TOAST_MS);
      return;
    }
    case 'membership':
      return;
  }
}

/**
 * Listens to `/api/me/notifications` (Server-Sent Events) until the returned
 * function is called; the browser reconnects by itself after a network
 * failure, and this opens the stream again if the browser gave up.
 */
export function startNotifications(): () => void {
  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const onMessage = (event: MessageEvent<string>) => {
    let parsed: Notification;
    try {
      parsed = Notification.parse(JSON.parse(event.data));
    } catch (err) {
      console.warn('unreadable notification', err);
      return;
    }
    receive(parsed);
  };
  const open = () => {
    source = new EventSource('/api/me/notifications');
    for (const type of ['invitation', 'invitation.answered', 'invitation.withdrawn', 'membership'])
      source.addEventListener(type, onMessage as EventListener);
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
