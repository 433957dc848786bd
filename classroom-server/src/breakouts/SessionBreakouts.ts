import {
  BREAKOUT_LIMITS,
  type BreakoutChatMessage,
  type BreakoutCloseReason,
  type BreakoutDocRef,
  type BreakoutMode,
  type BreakoutState,
  type ClientResponse,
  type OpenBreakoutsRequest,
  PreauError,
  type ServerEvent,
  type ServerEventName,
} from '@preau/protocol';
import { background, type Logger } from '@preau/protocol/server';
import { findBreakoutSplit, type Schema, saveBreakoutSplit } from '@preau/storage';
import type { Transaction } from 'kysely';
import { newId } from '../session/ids';
import type { Participant } from '../session/LiveSession';
import type { SessionContext } from '../session/SessionContext';
import type { Actor } from '../session/types';
import { createRoomDocs } from './roomDocs';
import { planOf, roomCount, splitStudents } from './split';

/** One breakout room while it is open. */
interface Room {
  readonly room: number;
  readonly members: Set<string>;
  readonly pad: BreakoutDocRef | null;
  readonly board: BreakoutDocRef | null;
  chat: BreakoutChatMessage[];
  /**
   * Messages by `participant id + client id`, so a resend after a lost ack
   * is answered with the message already sent (room chat is not stored,
   * only traced: this memory lasts as long as the room, on this node).
   */
  readonly sent: Map<string, BreakoutChatMessage>;
}

/** Lifecycle of a session's breakouts: closed, or open with its rooms and timer. */
type Phase =
  | { kind: 'closed' }
  | {
      kind: 'open';
      id: string;
      mode: BreakoutMode;
      openedAt: Date;
      endsAt: Date;
      rooms: Room[];
      /** Teachers visiting a room: who → which room. */
      visitors: Map<string, number>;
      timer: NodeJS.Timeout;
    };

/** What breakouts need besides their session. */
export interface BreakoutDeps {
  log: Logger;
  /** One minute of the timer (shorter in tests). */
  minuteMs: number;
  /** Sends to one participant's socket, if they have one now. */
  send<E extends ServerEventName>(participantId: string, event: E, payload: ServerEvent<E>): void;
  /** Told after every change of who is in which room (the recording keeps to the main room). */
  roomsChanged?: () => void;
}

/** The actor of the timer's end. */
const SYSTEM = 'system';

/**
 * A live session's breakout rooms: the teacher opens them (students dealt
 * out at random, by hand, by their own choice, or as last time), each room
 * with its own pad and board in the class's documents and its own chat; a
 * timer calls everyone back at its end. Who sees and hears whom follows the
 * rooms: `sees` is what media signalling asks before any consumer exists,
 * and consumers that cross rooms are closed at every change. Each act is
 * written with its trace before it is applied and announced.
 */
export class SessionBreakouts {
  readonly #s: SessionContext;
  readonly #deps: BreakoutDeps;
  #phase: Phase = { kind: 'closed' };

  constructor(session: SessionContext, deps: BreakoutDeps) {
    this.#s = session;
    this.#deps = deps;
  }

  /** The room a participant is in now (0: the main room). */
  roomOf(participantId: string): number {
    const phase = this.#phase;
    if (phase.kind === 'closed') return 0;
    const visiting = phase.visitors.get(participantId);
    if (visiting !== undefined) return visiting;
    return phase.rooms.find((r) => r.members.has(participantId))?.room ?? 0;
  }

  /** Whether `viewer` may receive `owner`'s media: both in the same room. */
  sees(viewer: string, owner: string): boolean {
    return this.roomOf(viewer) === this.roomOf(owner);
  }

  /** The public state, or null when closed. */
  view(): BreakoutState | null {
    const phase = this.#phase;
    if (phase.kind === 'closed') return null;
    return {
      breakoutId: phase.id,
      mode: phase.mode,
      openedAt: phase.openedAt.toISOString(),
      endsAt: phase.endsAt.toISOString(),
      rooms: phase.rooms.map((r) => ({
        room: r.room,
        members: [...r.members],
        visitors: [...phase.visitors].filter(([, room]) => room === r.room).map(([id]) => id),
        pad: r.pad,
        board: r.board,
      })),
    };
  }

  /** What a (re)joining participant needs: the state, their room's chat, and for teachers the last split. */
  state(actor: Actor): Promise<ClientResponse<'breakout.state'>> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      const room = this.#room(this.roomOf(p.id));
      const last = p.moderator ? await s.write((tx) => findBreakoutSplit(tx, s.space)) : null;
      return {
        state: this.view(),
        chat: room ? [...room.chat] : [],
        lastSplit: last ? { rooms: last } : null,
      };
    });
  }

  /** Opens the rooms (teachers): splits the students present and creates each room's documents. */
  open(actor: Actor, req: OpenBreakoutsRequest): Promise<BreakoutState> {
    const s = this.#s;
    return s.run(async () => {
      const teacher = s.requireModerator(actor);
      if (this.#phase.kind === 'open') throw new PreauError('conflict', 'breakouts are open');
      const students = this.#students().map((p) => p.id);
      const at = s.now();
      const id = newId('b');
      const view = s.view();
      const { split, docs } = await s.write(async (tx) => {
        const last = req.mode === 'last' ? await findBreakoutSplit(tx, s.space) : null;
        const plan = planOf(req, last);
        const split = splitStudents(plan, students);
        const docs = await createRoomDocs(tx, {
          space: s.space,
          actor: teacher.id,
          rooms: roomCount(plan),
          sessionTitle: view.title,
          date: view.startedAt ? new Date(view.startedAt) : at,
          template: req.template,
        });
        await s.trace(tx, teacher.id, 'breakout.opened', id, {
          session: s.id,
          mode: req.mode,
          rooms: split.length,
          minutes: req.minutes,
          docs: docs.flatMap((d) => [d.pad.id, d.board.id]),
          ...(req.template ? { template: req.template } : {}),
        });
        // `members` (flat) is what the archive indexes people by; `rooms` keeps who was where.
        await s.trace(tx, teacher.id, 'breakout.assigned', id, {
          session: s.id,
          rooms: split,
          members: split.flat(),
        });
        if (req.mode !== 'choose') await this.#saveSplit(tx, split, teacher.id, at);
        return { split, docs };
      });
      const endsAt = new Date(at.getTime() + req.minutes * this.#deps.minuteMs);
      this.#phase = {
        kind: 'open',
        id,
        mode: req.mode,
        openedAt: at,
        endsAt,
        visitors: new Map(),
        rooms: split.map((members, i) => ({
          room: i + 1,
          members: new Set(members),
          pad: docs[i]?.pad ?? null,
          board: docs[i]?.board ?? null,
          chat: [],
          sent: new Map(),
        })),
        timer: this.#arm(endsAt),
      };
      await this.#changed();
      return this.view()!;
    });
  }

  /** A teacher moves a student to a room, or back to the main room with null. */
  assign(actor: Actor, participantId: string, room: number | null): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const teacher = s.requireModerator(actor);
      const phase = this.#open();
      const target = s.present(participantId);
      if (target.moderator) throw new PreauError('bad_request', 'teachers visit rooms instead');
      if (room !== null) this.#existing(room);
      await this.#move(phase, teacher.id, target.id, room);
    });
  }

  /** A student picks their room, when the teacher lets students choose. */
  choose(actor: Actor, room: number): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      const phase = this.#open();
      if (p.moderator) throw new PreauError('bad_request', 'teachers visit rooms instead');
      if (phase.mode !== 'choose') throw new PreauError('forbidden', 'the teacher assigns rooms');
      this.#existing(room);
      await this.#move(phase, p.id, p.id, room);
    });
  }

  /** Gives the rooms more time. */
  extend(actor: Actor, minutes: number): Promise<{ endsAt: string }> {
    const s = this.#s;
    return s.run(async () => {
      const teacher = s.requireModerator(actor);
      const phase = this.#open();
      const endsAt = new Date(phase.endsAt.getTime() + minutes * this.#deps.minuteMs);
      await s.write((tx) =>
        s.trace(tx, teacher.id, 'breakout.extended', phase.id, {
          session: s.id,
          minutes,
          endsAt: endsAt.toISOString(),
        }),
      );
      clearTimeout(phase.timer);
      phase.endsAt = endsAt;
      phase.timer = this.#arm(endsAt);
      s.broadcast('breakout.updated', { state: this.view() });
      return { endsAt: endsAt.toISOString() };
    });
  }

  /** A teacher's message, shown in every room. */
  broadcast(actor: Actor, text: string): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const teacher = s.requireModerator(actor);
      const phase = this.#open();
      const at = s.now();
      await s.write((tx) =>
        s.trace(tx, teacher.id, 'breakout.message', phase.id, { session: s.id, text }, at),
      );
      s.broadcast('breakout.message', {
        text,
        by: teacher.id,
        name: teacher.name,
        sentAt: at.toISOString(),
      });
    });
  }

  /** A teacher goes into a room (its media and chat), or back to the main room with null. */
  visit(actor: Actor, room: number | null): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const teacher = s.requireModerator(actor);
      const phase = this.#open();
      if (room !== null) this.#existing(room);
      await s.write((tx) =>
        s.trace(tx, teacher.id, 'breakout.visit', phase.id, { session: s.id, room }),
      );
      if (room === null) phase.visitors.delete(teacher.id);
      else phase.visitors.set(teacher.id, room);
      await this.#changed();
    });
  }

  /** Calls everyone back to the main room. */
  close(actor: Actor): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const teacher = s.requireModerator(actor);
      this.#open();
      await this.#close(teacher.id, 'recalled');
    });
  }

  /** Sends a message to the chat of the room one is in. */
  sendChat(actor: Actor, text: string, clientId?: string): Promise<BreakoutChatMessage> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireLive(actor);
      const phase = this.#open();
      const room = this.#room(this.roomOf(p.id));
      if (!room) throw new PreauError('conflict', 'not in a breakout room');
      const key = clientId ? `${p.id} ${clientId}` : null;
      const already = key ? room.sent.get(key) : undefined;
      if (already) return already;
      const message: BreakoutChatMessage = {
        messageId: newId('m'),
        room: room.room,
        participantId: p.id,
        name: p.name,
        text,
        sentAt: s.now().toISOString(),
      };
      await s.write((tx) =>
        s.trace(tx, p.id, 'chat.message', message.messageId, {
          session: s.id,
          breakout: phase.id,
          room: room.room,
          text,
        }),
      );
      room.chat = [...room.chat, message].slice(-BREAKOUT_LIMITS.chatHistory);
      if (key) room.sent.set(key, message);
      for (const id of this.#inRoom(phase, room.room)) {
        if (id !== p.id) this.#deps.send(id, 'breakout.chat', message);
      }
      return message;
    });
  }

  /** After an erasure: the person's room messages leave this session's memory. */
  forgetAuthor(participantId: string): Promise<number> {
    return this.#s.run(async () => {
      let count = 0;
      if (this.#phase.kind === 'closed') return count;
      for (const room of this.#phase.rooms) {
        const kept = room.chat.filter((m) => m.participantId !== participantId);
        count += room.chat.length - kept.length;
        room.chat = kept;
        for (const [key, m] of room.sent)
          if (m.participantId === participantId) room.sent.delete(key);
      }
      return count;
    });
  }

  /** The session is ending: the rooms close in its transaction (inside the session's queue). */
  async endedIn(tx: Transaction<Schema>, by: string, at: Date): Promise<void> {
    const phase = this.#phase;
    if (phase.kind === 'closed') return;
    await this.#recordClose(tx, phase, by, 'ended', at);
    this.dispose();
  }

  /** Stops the timer and forgets the rooms (the session is closing); idempotent. */
  dispose() {
    if (this.#phase.kind === 'open') clearTimeout(this.#phase.timer);
    this.#phase = { kind: 'closed' };
  }

  // -------------------------------------------------------------------------

  async #close(by: string, reason: BreakoutCloseReason) {
    const s = this.#s;
    const phase = this.#open();
    await s.write((tx) => this.#recordClose(tx, phase, by, reason, s.now()));
    this.dispose();
    this.#deps.roomsChanged?.();
    s.broadcast('breakout.updated', { state: null, closed: reason });
  }

  async #recordClose(
    tx: Transaction<Schema>,
    phase: Extract<Phase, { kind: 'open' }>,
    by: string,
    reason: BreakoutCloseReason,
    at: Date,
  ) {
    const rooms = phase.rooms.map((r) => [...r.members]);
    await this.#saveSplit(tx, rooms, by, at);
    await this.#s.trace(
      tx,
      by,
      'breakout.closed',
      phase.id,
      {
        session: this.#s.id,
        reason,
        rooms,
        members: rooms.flat(),
        durationMs: at.getTime() - phase.openedAt.getTime(),
      },
      at,
    );
  }

  async #move(
    phase: Extract<Phase, { kind: 'open' }>,
    by: string,
    participantId: string,
    room: number | null,
  ) {
    const s = this.#s;
    await s.write((tx) =>
      s.trace(tx, by, 'breakout.assigned', phase.id, {
        session: s.id,
        person: participantId,
        room,
      }),
    );
    for (const r of phase.rooms) r.members.delete(participantId);
    if (room !== null) this.#existing(room).members.add(participantId);
    await this.#changed();
    // They enter a room with a chat already going: send them what was said.
    const entered = room === null ? undefined : this.#room(room);
    if (entered) {
      for (const message of entered.chat) this.#deps.send(participantId, 'breakout.chat', message);
    }
  }

  /** Tells everyone, then closes the consumers that now cross rooms. */
  async #changed() {
    this.#deps.roomsChanged?.();
    this.#s.broadcast('breakout.updated', { state: this.view() });
    await this.#s.media?.enforceVisibility((viewer, owner) => this.sees(viewer, owner));
  }

  #saveSplit(tx: Transaction<Schema>, rooms: string[][], by: string, at: Date) {
    return saveBreakoutSplit(tx, { space: this.#s.space, sessionId: this.#s.id, rooms, by, at });
  }

  #arm(endsAt: Date): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        background(this.#deps.log, 'breakout timer', () =>
          this.#s.run(async () => {
            const phase = this.#phase;
            if (phase.kind === 'open' && phase.endsAt.getTime() <= this.#s.now().getTime() + 50) {
              await this.#close(SYSTEM, 'timeout');
            }
          }),
        );
      },
      Math.max(0, endsAt.getTime() - this.#s.now().getTime()),
    );
    timer.unref();
    return timer;
  }

  #students(): Participant[] {
    return [...this.#s.participants()].filter((p) => !p.moderator);
  }

  #open(): Extract<Phase, { kind: 'open' }> {
    if (this.#phase.kind !== 'open') throw new PreauError('conflict', 'no breakout rooms open');
    return this.#phase;
  }

  #room(room: number): Room | undefined {
    return this.#phase.kind === 'open' ? this.#phase.rooms[room - 1] : undefined;
  }

  #existing(room: number): Room {
    const found = this.#room(room);
    if (!found) throw new PreauError('not_found', 'no such room');
    return found;
  }

  /** Members and visitors of a room. */
  #inRoom(phase: Extract<Phase, { kind: 'open' }>, room: number): string[] {
    const r = phase.rooms[room - 1];
    const visitors = [...phase.visitors].filter(([, v]) => v === room).map(([id]) => id);
    return [...(r ? [...r.members].filter((id) => !phase.visitors.has(id)) : []), ...visitors];
  }
}
