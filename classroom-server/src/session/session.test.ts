import { describe, expect, it } from 'vitest';
import { nextParticipantState, type ParticipantState } from './participantMachine';
import { nextSessionState, type SessionState } from './sessionMachine';

const at = new Date('2026-03-02T08:00:00Z');
const later = new Date('2026-03-02T09:00:00Z');

describe('session state machine', () => {
  it('goes scheduled → live → ended and refuses anything after the end', () => {
    let s: SessionState = { phase: 'scheduled' };
    s = nextSessionState(s, { type: 'start', at });
    expect(s).toEqual({ phase: 'live', startedAt: at });
    expect(nextSessionState(s, { type: 'start', at: later })).toBe(s);
    s = nextSessionState(s, { type: 'end', at: later });
    expect(s).toEqual({ phase: 'ended', startedAt: at, endedAt: later });
    expect(() => nextSessionState(s, { type: 'start', at })).toThrow(
      expect.objectContaining({ code: 'session_ended' }),
    );
  });
});

describe('participant state machine', () => {
  it('survives a dropped socket and resumes on a new one', () => {
    let p: ParticipantState = { kind: 'joining', socketId: 'a' };
    p = nextParticipantState(p, { type: 'joined', at })!;
    expect(p).toEqual({ kind: 'live', socketId: 'a', since: at });
    p = nextParticipantState(p, { type: 'socketClosed', socketId: 'a', at })!;
    expect(p.kind).toBe('reconnecting');
    p = nextParticipantState(p, { type: 'resumed', socketId: 'b', at: later })!;
    expect(p).toEqual({ kind: 'live', socketId: 'b', since: later });
  });

  it('ignores the close of a socket that was already replaced', () => {
    const live: ParticipantState = { kind: 'live', socketId: 'b', since: at };
    expect(nextParticipantState(live, { type: 'socketClosed', socketId: 'a', at })).toBeNull();
  });

  it('never leaves the left state', () => {
    const left: ParticipantState = { kind: 'left', at, reason: 'removed' };
    expect(nextParticipantState(left, { type: 'resumed', socketId: 'c', at })).toBeNull();
    expect(nextParticipantState(left, { type: 'left', at, reason: 'left' })).toBeNull();
  });
});
