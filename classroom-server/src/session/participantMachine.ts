import type { LeaveReason } from '@preau/protocol';
import { unreachable } from './sessionMachine';

/**
 * Lifecycle of a participant. `joining` while their arrival is being
 * recorded; `live` with one socket; `reconnecting` when that socket dropped
 * and the grace period runs; `left` for good (a later join is a new stay).
 */
export type ParticipantState =
  | { kind: 'joining'; socketId: string }
  | { kind: 'live'; socketId: string; since: Date }
  | { kind: 'reconnecting'; since: Date }
  | { kind: 'left'; at: Date; reason: LeaveReason };

/** What can happen to a participant. */
export type ParticipantTransition =
  | { type: 'joined'; at: Date }
  | { type: 'socketClosed'; socketId: string; at: Date }
  | { type: 'resumed'; socketId: string; at: Date }
  | { type: 'left'; at: Date; reason: LeaveReason };

/**
 * The next state, or null when the transition does not apply (a stale
 * socket closing after its participant moved on to a newer socket).
 */
export function nextParticipantState(
  state: ParticipantState,
  t: ParticipantTransition,
): ParticipantState | null {
  switch (state.kind) {
    case 'joining':
      switch (t.type) {
        case 'joined':
          return { kind: 'live', socketId: state.socketId, since: t.at };
        case 'socketClosed':
          return t.socketId === state.socketId ? { kind: 'left', at: t.at, reason: 'left' } : null;
        case 'resumed':
          return null;
        case 'left':
          return { kind: 'left', at: t.at, reason: t.reason };
        default:
          return unreachable(t);
      }
    case 'live':
      switch (t.type) {
        case 'joined':
          return null;
        case 'socketClosed':
          return t.socketId === state.socketId ? { kind: 'reconnecting', since: t.at } : null;
        case 'resumed':
          // The same person on a new socket: the newer one wins.
          return { kind: 'live', socketId: t.socketId, since: t.at };
        case 'left':
          return { kind: 'left', at: t.at, reason: t.reason };
        default:
          return unreachable(t);
      }
    case 'reconnecting':
      switch (t.type) {
        case 'joined':
        case 'socketClosed':
          return null;
        case 'resumed':
          return { kind: 'live', socketId: t.socketId, since: t.at };
        case 'left':
          return { kind: 'left', at: t.at, reason: t.reason };
        default:
          return unreachable(t);
      }
    case 'left':
      return null;
    default:
      return unreachable(state);
  }
}

/** The socket currently serving a participant, if any. */
export function socketOf(state: ParticipantState): string | null {
  switch (state.kind) {
    case 'joining':
    case 'live':
      return state.socketId;
    case 'reconnecting':
    case 'left':
      return null;
    default:
      return unreachable(state);
  }
}
