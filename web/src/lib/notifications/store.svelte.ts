import type { Invitation, Notification } from '@preau/protocol';
import { shareNotifications } from './stream';

/** A short message shown in the page's corner; invitations carry their answer buttons. */
export type Toast =
  | { id: number; kind: 'invitation'; invitation: Invitation }
  | { id: number; kind: 'answered'; personName: string; spaceName: string; accepted: boolean };

/** How long an answer's toast stays (an invitation's stays until answered or closed). */
const ANSWER_TOAST_MS = 10_000;

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
 * Follows `person`'s notifications until the returned function is called:
 * one stream shared by the person's tabs in this browser (see `stream.ts`).
 */
export function startNotifications(person: string): () => void {
  return shareNotifications(person, receive);
}
