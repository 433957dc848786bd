import { PreauError, type SessionPhase } from '@preau/protocol';

/** Lifecycle of a live session: planned, running, over. Each phase carries what it knows. */
export type SessionState =
  | { phase: 'scheduled' }
  | { phase: 'live'; startedAt: Date }
  | { phase: 'ended'; startedAt: Date | null; endedAt: Date };

/** What can happen to a session. */
export type SessionTransition = { type: 'start'; at: Date } | { type: 'end'; at: Date };

/** The next state after `transition`, or a typed error when the session cannot take it. */
export function nextSessionState(state: SessionState, transition: SessionTransition): SessionState {
  switch (state.phase) {
    case 'scheduled':
      switch (transition.type) {
        case 'start':
          return { phase: 'live', startedAt: transition.at };
        case 'end':
          return { phase: 'ended', startedAt: null, endedAt: transition.at };
        default:
          return unreachable(transition);
      }
    case 'live':
      switch (transition.type) {
        case 'start':
          return state;
        case 'end':
          return { phase: 'ended', startedAt: state.startedAt, endedAt: transition.at };
        default:
          return unreachable(transition);
      }
    case 'ended':
      throw new PreauError('session_ended', 'the session is over');
    default:
      return unreachable(state);
  }
}

/** The session state rebuilt from its stored columns. */
export function sessionStateFrom(row: {
  phase: SessionPhase;
  startedAt: Date | null;
  endedAt: Date | null;
}): SessionState {
  switch (row.phase) {
    case 'scheduled':
      return { phase: 'scheduled' };
    case 'live':
      return { phase: 'live', startedAt: row.startedAt ?? new Date() };
    case 'ended':
      return { phase: 'ended', startedAt: row.startedAt, endedAt: row.endedAt ?? new Date() };
    default:
      return unreachable(row.phase);
  }
}

/** Compile-time exhaustiveness check for switches over unions. */
export function unreachable(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
