import type { LeaveReason, Right, ServerEvent, ServerEventName } from '@preau/protocol';

/** Who is acting, from their verified token and the socket they act through. */
export interface Actor {
  participantId: string;
  name: string;
  rights: readonly Right[];
  socketId: string;
}

/**
 * How a session reaches its participants. The session knows sockets only by
 * id; the socket.io adapter (or a test) implements the delivery.
 */
export interface SessionOutbox {
  /** Lets a socket receive the session's broadcasts. */
  enter(socketId: string): void;
  /** Sends to every socket that entered, except one. */
  broadcast<E extends ServerEventName>(
    event: E,
    payload: ServerEvent<E>,
    exceptSocket?: string,
  ): void;
  /** Sends to one socket. */
  send<E extends ServerEventName>(socketId: string, event: E, payload: ServerEvent<E>): void;
  /** Tells a socket why it is put out, then disconnects it. */
  kick(socketId: string, reason: LeaveReason): void;
  /** Drops a socket's connection so its client comes back at once with a fresh token. */
  reconnect(socketId: string): void;
}

/** Named timeouts of a session's lifecycle. */
export interface SessionTimeouts {
  /** How long a participant whose connection dropped keeps their place and media. */
  reconnectGraceMs: number;
  /** A session nobody is in ends (live) or is unloaded (scheduled) after this. */
  emptySessionMs: number;
  /** A socket whose token lapsed stays this long past its expiry, for the renewal in flight. */
  tokenGraceMs: number;
  /** How often sessions no process holds are checked for having sat empty past `emptySessionMs`. */
  idleSweepMs: number;
  /** How long one minute of a breakout timer lasts (tests shorten it to see the automatic recall). */
  breakoutMinuteMs: number;
}

/** Defaults: a phone changing networks comes back well within 20 s; an empty room is over after 15 min. */
export const DEFAULT_TIMEOUTS: SessionTimeouts = {
  reconnectGraceMs: 20_000,
  emptySessionMs: 15 * 60_000,
  tokenGraceMs: 30_000,
  idleSweepMs: 60_000,
  breakoutMinuteMs: 60_000,
};

/** Whether the rights make a moderator (a teacher of the class). */
export function isModerator(rights: readonly Right[]): boolean {
  return rights.includes('moderate');
}
