import {
  type ChatMessage,
  type HandView,
  type LeaveReason,
  type ModerationAction,
  type ParticipantView,
  PreauError,
  type Right,
  type ServerEvent,
  type ServerEventName,
  type SessionSnapshot,
  type SessionView,
  type TraceInput,
} from '@preau/protocol';
import { background, type Logger } from '@preau/protocol/server';
import type { SfuApi } from '@preau/sfu';
import {
  closeStay,
  closeStayTraced,
  markSessionEnded,
  markSessionLive,
  openStayTraced,
  recordTrace,
  type Schema,
  type StoredSession,
} from '@preau/storage';
import type { Kysely, Transaction } from 'kysely';
import { SessionBreakouts } from '../breakouts/SessionBreakouts';
import { SessionChat } from '../chat/SessionChat';
import { SessionHands } from '../hands/SessionHands';
import { MediaSignalling } from '../media/MediaSignalling';
import { SessionFloor } from '../moderation/SessionFloor';
import { SessionModeration } from '../moderation/SessionModeration';
import { SessionPolls } from '../polls/SessionPolls';
import { SessionPresentation } from '../presentation/SessionPresentation';
import { type RecordingDeps, SessionRecording } from '../recording/SessionRecording';
import { nextParticipantState, type ParticipantState, socketOf } from './participantMachine';
import { SerialQueue } from './SerialQueue';
import type { SessionContext } from './SessionContext';
import { nextSessionState, type SessionState, sessionStateFrom } from './sessionMachine';
import { type Actor, isModerator, type SessionOutbox, type SessionTimeouts } from './types';
import type { NodeWriters } from './writers';

/** A person in the session, for as long as their stay lasts. */
export interface Participant {
  readonly id: string;
  name: string;
  rights: readonly Right[];
  moderator: boolean;
  state: ParticipantState;
  /** Start of the current stay (attendance). */
  readonly joinedAt: Date;
}

/** What a live session needs from the outside. */
export interface LiveSessionDeps {
  stored: StoredSession;
  /** The latest chat messages, oldest first. */
  chat: ChatMessage[];
  /** Hands up when the session was loaded (a restart keeps them), first raised first. */
  hands?: HandView[];
  /** People a teacher (or the directory) removed from it: they may not come back. */
  removed?: string[];
  /**
   * Stays a killed process left open: those people are reconnecting, as after
   * a dropped connection, and come back within the grace period to the same
   * stay (a locked session included) or leave with reason `timeout`.
   */
  returning?: Array<{ personId: string; name: string; joinedAt: Date }>;
  db: Kysely<Schema>;
  /** The node's writers (chat messages, hands: in batches). */
  writers: NodeWriters;
  sfu: SfuApi | null;
  /** Object storage and ffmpeg for recordings; without it the session does not record. */
  recording?: RecordingDeps;
  outbox: SessionOutbox;
  log: Logger;
  timeouts: SessionTimeouts;
  now?: () => Date;
  /** Called once the session is over or unloaded, so its owner forgets it. */
  onClosed: (session: LiveSession) => void;
}

export { newId } from './ids';

/**
 * One live session: its lifecycle, its participants, raised hands, chat and
 * teacher controls. It owns its participants and its media; every change of
 * state is written (with its trace) before it is applied and announced, and
 * runs in one queue so checks and writes never interleave.
 */
export class LiveSession {
  readonly id: string;
  readonly space: string;
  readonly media: MediaSignalling | null;
  readonly chat: SessionChat;
  readonly hands: SessionHands;
  readonly moderation: SessionModeration;
  readonly floor: SessionFloor;
  readonly polls: SessionPolls;
  readonly breakouts: SessionBreakouts;
  readonly recording: SessionRecording;
  readonly presentation: SessionPresentation;
  readonly #title: string;
  readonly #db: Kysely<Schema>;
  readonly #writers: NodeWriters;
  readonly #outbox: SessionOutbox;
  readonly #log: Logger;
  readonly #timeouts: SessionTimeouts;
  readonly #now: () => Date;
  readonly #onClosed: (session: LiveSession) => void;
  #state: SessionState;
  #locked: boolean;
  #studentScreenShare: boolean;
  readonly #participants = new Map<string, Participant>();
  /** People a teacher removed: they may not come back to this session. */
  readonly #removed = new Set<string>();
  readonly #queue = new SerialQueue();
  readonly #graceTimers = new Map<string, NodeJS.Timeout>();
  #emptyTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(deps: LiveSessionDeps) {
    this.id = deps.stored.id;
    this.space = deps.stored.space;
    this.#title = deps.stored.title;
    this.#db = deps.db;
    this.#writers = deps.writers;
    this.#outbox = deps.outbox;
    this.#log = deps.log;
    this.#timeouts = deps.timeouts;
    this.#now = deps.now ?? (() => new Date());
    this.#onClosed = deps.onClosed;
    this.#state = sessionStateFrom(deps.stored);
    this.#locked = deps.stored.locked;
    this.#studentScreenShare = deps.stored.studentScreenShare;
    this.media = deps.sfu
      ? new MediaSignalling(deps.sfu, this.id, {
          log: deps.log,
          participant: (actor) => this.requireLive(actor),
          canShareScreen: (p) => this.canShareScreen(p.rights),
          isPresent: (id) => this.#participants.has(id),
          socketOf: (id) => {
            const p = this.#participants.get(id);
            return p ? socketOf(p.state) : null;
          },
          broadcast: (event, payload, except) => this.#broadcast(event, payload, except),
          send: (socketId, event, payload) => this.#outbox.send(socketId, event, payload),
          sees: (viewer, owner) => this.breakouts.sees(viewer, owner),
        })
      : null;
    const context = this.#context();
    this.hands = new SessionHands(context, deps.hands);
    this.floor = new SessionFloor(context, this.hands);
    this.chat = new SessionChat(context, deps.chat, (p) => this.floor.assertMayChat(p));
    this.moderation = new SessionModeration(context);
    this.polls = new SessionPolls(context);
    this.presentation = new SessionPresentation(context);
    for (const id of deps.removed ?? []) this.#removed.add(id);
    for (const stay of deps.returning ?? []) this.#awaitReturn(stay);
    this.breakouts = new SessionBreakouts(context, {
      log: deps.log,
      minuteMs: deps.timeouts.breakoutMinuteMs,
      send: (participantId, event, payload) => {
        const p = this.#participants.get(participantId);
        const socket = p ? socketOf(p.state) : null;
        if (socket) this.#outbox.send(socket, event, payload);
      },
      roomsChanged: () => this.recording.refresh(),
    });
    // A recording keeps to the main room: what happens in breakout rooms is not recorded.
    this.recording = new SessionRecording(
      context,
      deps.sfu,
      deps.recording,
      deps.log,
      (id) => this.breakouts.roomOf(id) === 0,
    );
    this.#armEmptyTimer();
  }

  /** What the feature modules may use of this session; its state stays private. */
  #context(): SessionContext {
    return {
      id: this.id,
      space: this.space,
      media: this.media,
      now: () => this.#now(),
      run: (task) => this.#run(task),
      db: this.#db,
      writers: this.#writers,
      write: (work) => this.#write(work),
      trace: (tx, actor, kind, subject, payload, at) =>
        this.#trace(tx, actor, kind, subject, payload, at),
      moderationTrace: (actor, action, target) => this.#moderationTrace(actor, action, target),
      broadcast: (event, payload, except) => this.#broadcast(event, payload, except),
      requireLive: (actor) => this.requireLive(actor),
      requireModerator: (actor) => this.#requireModerator(actor),
      present: (participantId) => this.#present(participantId),
      participants: () => [...this.#participants.values()],
      tell: (p, action, by) => this.#tell(p, action, by),
      depart: (p, reason) => this.#depart(p, reason),
      banish: (participantId) => this.#removed.add(participantId),
      end: (by, keepSocket) => this.#end(by, keepSocket),
      setPolicy: (policy) => {
        if (policy.locked !== undefined) this.#locked = policy.locked;
        if (policy.studentScreenShare !== undefined) {
          this.#studentScreenShare = policy.studentScreenShare;
        }
      },
      canShareScreen: (p) => this.canShareScreen(p.rights),
      view: () => this.view(),
      send: (socketId, event, payload) => this.#outbox.send(socketId, event, payload),
      announce: (p) => this.#broadcast('participant.updated', participantView(p)),
    };
  }

  /** The session's public state. */
  view(): SessionView {
    const s = this.#state;
    return {
      sessionId: this.id,
      space: this.space,
      title: this.#title,
      phase: s.phase,
      locked: this.#locked,
      studentScreenShare: this.#studentScreenShare,
      startedAt: s.phase === 'scheduled' ? null : (s.startedAt?.toISOString() ?? null),
      endedAt: s.phase === 'ended' ? s.endedAt.toISOString() : null,
      recording: this.recording?.state ?? null,
    };
  }

  /** Whether the session can still be joined (for the handshake). */
  get isOver(): boolean {
    return this.#closed || this.#state.phase === 'ended';
  }

  /** Participants present or reconnecting. */
  participants(): ParticipantView[] {
    return [...this.#participants.values()].map(participantView);
  }

  /** Whether rights let a participant share their screen now: teachers always, students when allowed. */
  canShareScreen(rights: readonly Right[]): boolean {
    return rights.includes('present') && (isModerator(rights) || this.#studentScreenShare);
  }

  /** The participant acting through this socket, or a typed error if they have not joined on it. */
  requireLive(actor: Actor): Participant {
    const p = this.#participants.get(actor.participantId);
    if (!p || socketOf(p.state) !== actor.socketId) {
      throw new PreauError('conflict', 'join the session first');
    }
    return p;
  }

  // -------------------------------------------------------------------------
  // Arrivals and departures

  /** Joins (or, on a new socket, resumes) the session; answers everything the client needs. */
  join(actor: Actor): Promise<SessionSnapshot> {
    return this.#run(async () => {
      if (this.#state.phase === 'ended') throw new PreauError('session_ended');
      if (this.#removed.has(actor.participantId)) {
        throw new PreauError('forbidden', 'removed from this session');
      }
      await this.floor.load();
      await this.polls.load();
      await this.presentation.load();
      const at = this.#now();
      const existing = this.#participants.get(actor.participantId);
      let resumed = false;
      if (existing) {
        const previous = socketOf(existing.state);
        const next = nextParticipantState(existing.state, {
          type: 'resumed',
          socketId: actor.socketId,
          at,
        });
        if (!next) throw new PreauError('conflict', 'already joining');
        existing.state = next;
        existing.name = actor.name;
        existing.rights = actor.rights;
        existing.moderator = isModerator(actor.rights);
        this.#clearGrace(existing.id);
        if (previous && previous !== actor.socketId) this.#outbox.kick(previous, 'replaced');
        this.#broadcast('participant.updated', participantView(existing), actor.socketId);
        resumed = true;
      } else {
        await this.#arrive(actor, at);
      }
      this.#outbox.enter(actor.socketId);
      this.#disarmEmptyTimer();
      const routerRtpCapabilities = await this.media?.routerCapabilities().catch((err: unknown) => {
        this.#log.warn({ err }, 'media unavailable for this session');
        return null;
      });
      return this.#snapshot(actor, resumed, routerRtpCapabilities ?? null);
    });
  }

  async #arrive(actor: Actor, at: Date) {
    const moderator = isModerator(actor.rights);
    if (this.#locked && !moderator) throw new PreauError('session_locked');
    const starting = this.#state.phase === 'scheduled';
    if (starting && !moderator) throw new PreauError('conflict', 'the session has not started');
    this.floor.checkArrival(actor);
    const p: Participant = {
      id: actor.participantId,
      name: actor.name,
      rights: actor.rights,
      moderator,
      state: { kind: 'joining', socketId: actor.socketId },
      joinedAt: at,
    };
    this.#participants.set(p.id, p);
    const stay = { sessionId: this.id, personId: p.id, name: p.name, at };
    const joined = { space: this.space, kind: 'session.joined', payload: { moderator } } as const;
    try {
      if (starting) {
        await this.#write(async (tx) => {
          await markSessionLive(tx, this.id, at);
          await this.#trace(tx, p.id, 'session.started', this.id, { title: this.#title }, at);
          await openStayTraced(tx, stay, joined);
        });
      } else {
        // Every other arrival: one statement (a join storm is that many
        // arrivals; a rejoin within the grace, here or after a takeover, is
        // a resume and writes nothing).
        await openStayTraced(this.#db, stay, joined);
      }
    } catch (err) {
      this.#participants.delete(p.id);
      throw err;
    }
    if (starting) {
      this.#state = nextSessionState(this.#state, { type: 'start', at });
      this.#broadcast('session.updated', this.view());
    }
    p.state = nextParticipantState(p.state, { type: 'joined', at }) ?? p.state;
    this.#broadcast('participant.joined', participantView(p), actor.socketId);
  }

  /** The participant leaves on purpose. */
  leave(actor: Actor): Promise<void> {
    return this.#run(async () => {
      const p = this.requireLive(actor);
      await this.#depart(p, 'left');
    });
  }

  /**
   * A socket closed. A deliberate disconnect is a departure; a dropped one
   * starts the grace period during which the participant keeps their place.
   */
  socketClosed(socketId: string, participantId: string, deliberate: boolean): Promise<void> {
    // Once the session is over its sockets close by themselves: nothing left to
    // record, whether it closed before this call or while the call waited its turn.
    if (this.#closed) return Promise.resolve();
    return this.#runUnlessClosed(async () => {
      const p = this.#participants.get(participantId);
      if (!p) return;
      if (deliberate && socketOf(p.state) === socketId) return this.#depart(p, 'left');
      const next = nextParticipantState(p.state, {
        type: 'socketClosed',
        socketId,
        at: this.#now(),
      });
      if (!next) return;
      p.state = next;
      if (next.kind === 'left') return this.#depart(p, 'left');
      this.#broadcast('participant.updated', participantView(p));
      this.#armGrace(p);
    });
  }

  /** A reconnecting participant who is not back within the grace period leaves with `timeout`. */
  #armGrace(p: Participant) {
    this.#graceTimers.set(
      p.id,
      setTimeout(() => {
        background(this.#log, 'reconnect grace timeout', () =>
          this.#run(async () => {
            const still = this.#participants.get(p.id);
            if (still?.state.kind === 'reconnecting') await this.#depart(still, 'timeout');
          }),
        );
      }, this.#timeouts.reconnectGraceMs),
    );
  }

  /** Someone whose stay a killed process left open: reconnecting until they are back. */
  #awaitReturn(stay: { personId: string; name: string; joinedAt: Date }) {
    // Their rights come back with their next token; until then they hold none.
    const p: Participant = {
      id: stay.personId,
      name: stay.name,
      rights: [],
      moderator: false,
      state: { kind: 'reconnecting', since: this.#now() },
      joinedAt: stay.joinedAt,
    };
    this.#participants.set(p.id, p);
    this.#armGrace(p);
  }

  /** Records a departure and tells everyone; the stay's end and its trace commit together. */
  async #depart(p: Participant, reason: LeaveReason) {
    const at = this.#now();
    const socket = socketOf(p.state);
    p.state = nextParticipantState(p.state, { type: 'left', at, reason }) ?? p.state;
    this.#clearGrace(p.id);
    this.#participants.delete(p.id);
    try {
      await closeStayTraced(
        this.#db,
        { sessionId: this.id, personId: p.id, at, reason },
        { space: this.space, kind: 'session.left', payload: { reason } },
      );
    } catch (err) {
      // The person is gone whatever the database says; the stay is closed on the next load.
      this.#log.error({ err, participantId: p.id }, 'recording a departure failed');
    }
    this.hands.forget(p.id);
    await this.media?.participantLeft(p.id);
    this.#broadcast('participant.left', { participantId: p.id, reason });
    if (reason === 'removed' && socket) this.#outbox.kick(socket, 'removed');
    this.#armEmptyTimer();
  }

  /**
   * The directory changed someone's membership of this session's space:
   * removed, they are put out for good; with another role, their client
   * reconnects with a token carrying their new rights.
   */
  membershipChanged(participantId: string, change: 'added' | 'removed' | 'role'): Promise<void> {
    return this.#run(async () => {
      const p = this.#participants.get(participantId);
      switch (change) {
        case 'added':
          return;
        case 'removed':
          this.#removed.add(participantId);
          if (p) await this.#depart(p, 'removed');
          return;
        case 'role': {
          const socket = p ? socketOf(p.state) : null;
          if (socket) this.#outbox.reconnect(socket);
          return;
        }
        default:
          change satisfies never;
      }
    });
  }

  async #end(by: string, keepSocket?: string) {
    const at = this.#now();
    const ended = nextSessionState(this.#state, { type: 'end', at });
    const present = [...this.#participants.values()];
    await this.#write(async (tx) => {
      // Already ended elsewhere (a teacher started another session): its traces are written.
      if (!(await markSessionEnded(tx, this.id, at))) return;
      await this.breakouts.endedIn(tx, by, at);
      await this.presentation.endedIn(tx, by, at);
      for (const p of present) {
        await this.#trace(tx, p.id, 'session.left', this.id, { reason: 'ended' }, at);
      }
      if (by !== SYSTEM_ACTOR) {
        await this.#trace(tx, by, 'session.moderation', this.id, { action: 'end' }, at);
      }
      await this.#trace(tx, by, 'session.ended', this.id, {}, at);
    });
    this.#closeEnded(ended, present, keepSocket);
    await this.#dispose();
  }

  /** Tells everyone the session is over and puts their sockets out (but `keepSocket`). */
  #closeEnded(ended: SessionState, present: Participant[], keepSocket?: string) {
    this.#state = ended;
    this.#broadcast('session.updated', this.view());
    this.#broadcast('session.ended', { endedAt: this.view().endedAt ?? this.#now().toISOString() });
    for (const p of present) {
      const socket = socketOf(p.state);
      if (socket && socket !== keepSocket) this.#outbox.kick(socket, 'ended');
    }
    this.#participants.clear();
  }

  /**
   * The session was ended outside this room (a teacher started another one,
   * or it sat empty): its end is already written; anyone who arrived since
   * has their stay closed too, then everyone is told and put out.
   */
  endedElsewhere(endedAt: Date): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#runUnlessClosed(async () => {
      const present = [...this.#participants.values()];
      const at = this.#now();
      await this.#write(async (tx) => {
        for (const p of present) {
          if (await closeStay(tx, { sessionId: this.id, personId: p.id, at, reason: 'ended' })) {
            await this.#trace(tx, p.id, 'session.left', this.id, { reason: 'ended' }, at);
          }
        }
      }).catch((err: unknown) => this.#log.error({ err }, 'closing stays after an outside end'));
      this.#closeEnded(nextSessionState(this.#state, { type: 'end', at: endedAt }), present);
      await this.#dispose();
    });
  }

  /**
   * Stops the session in this process (server shutdown): stays close with
   * reason `shutdown`; the session stays live so people come back to it.
   * Idempotent.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#run(async () => {
      if (this.#closed) return;
      const at = this.#now();
      const present = [...this.#participants.values()];
      await this.#write(async (tx) => {
        for (const p of present) {
          await closeStay(tx, { sessionId: this.id, personId: p.id, at, reason: 'shutdown' });
          await this.#trace(tx, p.id, 'session.left', this.id, { reason: 'shutdown' }, at);
        }
      }).catch((err: unknown) => this.#log.error({ err }, 'recording the shutdown failed'));
      for (const p of present) {
        const socket = socketOf(p.state);
        if (socket) this.#outbox.kick(socket, 'shutdown');
      }
      this.#participants.clear();
      await this.#dispose();
    });
  }

  /**
   * Stops the session in this process without writing anything: another
   * process owns it now (this one lost its lease) and carries its stays on.
   * Idempotent.
   */
  abandon(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#run(async () => {
      if (this.#closed) return;
      this.#participants.clear();
      await this.#dispose();
    });
  }

  async #dispose() {
    this.#closed = true;
    this.breakouts.dispose();
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    this.#graceTimers.clear();
    this.#disarmEmptyTimer();
    // Saved before the media room closes under the recorder.
    await this.recording.close();
    await this.media?.close().catch((err: unknown) => this.#log.warn({ err }, 'closing media'));
    this.#onClosed(this);
  }

  // -------------------------------------------------------------------------
  // Helpers

  /** Runs a state change in the session's queue; nothing at all if the session closed meanwhile. */
  #runUnlessClosed(task: () => Promise<void>): Promise<void> {
    return this.#queue.run(async () => {
      if (!this.#closed) await task();
    });
  }

  /** Runs a state change in the session's queue; refused once the session is closed. */
  #run<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      if (this.#closed) {
        throw new PreauError(
          this.#state.phase === 'ended' ? 'session_ended' : 'unavailable',
          'the session is closed',
        );
      }
      return task();
    });
  }

  #write<T>(work: (tx: Transaction<Schema>) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute(work);
  }

  #trace(
    tx: Transaction<Schema>,
    actor: string,
    kind: TraceInput['kind'],
    subject: string,
    payload: Record<string, unknown>,
    at?: Date,
  ) {
    return recordTrace(tx, {
      actor,
      kind,
      space: this.space,
      subject,
      payload,
      at: at ?? this.#now(),
    });
  }

  #moderationTrace(actor: string, action: ModerationAction, target?: string) {
    return this.#write((tx) =>
      this.#trace(tx, actor, 'session.moderation', this.id, {
        action,
        ...(target ? { target } : {}),
      }),
    );
  }

  #requireModerator(actor: Actor): Participant {
    const p = this.requireLive(actor);
    if (!p.moderator) throw new PreauError('forbidden', 'teachers only');
    return p;
  }

  #present(participantId: string): Participant {
    const p = this.#participants.get(participantId);
    if (!p) throw new PreauError('not_found', 'no such participant');
    return p;
  }

  #tell(p: Participant, action: ModerationAction, by: string) {
    const socket = socketOf(p.state);
    if (socket) this.#outbox.send(socket, 'moderation.applied', { action, by });
  }

  #broadcast<E extends ServerEventName>(event: E, payload: ServerEvent<E>, exceptSocket?: string) {
    this.#outbox.broadcast(event, payload, exceptSocket);
  }

  #clearGrace(participantId: string) {
    const timer = this.#graceTimers.get(participantId);
    if (timer) clearTimeout(timer);
    this.#graceTimers.delete(participantId);
  }

  #armEmptyTimer() {
    if (this.#participants.size > 0 || this.#emptyTimer || this.#closed) return;
    this.#emptyTimer = setTimeout(() => {
      this.#emptyTimer = null;
      background(this.#log, 'empty session timeout', () =>
        this.#run(async () => {
          if (this.#participants.size > 0) return;
          if (this.#state.phase === 'live') await this.#end(SYSTEM_ACTOR);
          else await this.#dispose();
        }),
      );
    }, this.#timeouts.emptySessionMs);
    this.#emptyTimer.unref();
  }

  #disarmEmptyTimer() {
    if (this.#emptyTimer) clearTimeout(this.#emptyTimer);
    this.#emptyTimer = null;
  }

  #snapshot(
    actor: Actor,
    resumed: boolean,
    routerRtpCapabilities: SessionSnapshot['routerRtpCapabilities'],
  ): SessionSnapshot {
    return {
      session: this.view(),
      me: {
        participantId: actor.participantId,
        name: actor.name,
        rights: [...actor.rights],
        moderator: isModerator(actor.rights),
        canShareScreen: this.canShareScreen(actor.rights),
      },
      resumed,
      participants: this.participants(),
      hands: this.hands.list(),
      chat: this.chat.list(),
      producers: this.media?.producers() ?? [],
      activeSpeaker: this.media?.activeSpeaker ?? null,
      routerRtpCapabilities,
      ...this.#floorSnapshot(actor),
    };
  }

  /** Polls, floor settings and (moderators) the waiting queue, as this participant sees them. */
  #floorSnapshot(
    actor: Actor,
  ): Pick<SessionSnapshot, 'polls' | 'floor' | 'waiting' | 'presentation'> {
    const me = { id: actor.participantId, moderator: isModerator(actor.rights) };
    return {
      polls: this.polls.stateFor(me),
      presentation: this.presentation.view(),
      floor: this.floor.viewFor(me.id, me.moderator),
      ...(me.moderator ? { waiting: this.floor.waitingList() } : {}),
    };
  }
}

/** The actor of acts nobody did by hand (an empty session ending on its own). */
export const SYSTEM_ACTOR = 'system';

function participantView(p: Participant): ParticipantView {
  return {
    participantId: p.id,
    name: p.name,
    moderator: p.moderator,
    presence: p.state.kind === 'reconnecting' ? 'reconnecting' : 'live',
    joinedAt: p.joinedAt.toISOString(),
  };
}
