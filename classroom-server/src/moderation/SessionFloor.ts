import {
  type FloorView,
  type ModerationAction,
  PreauError,
  type Right,
  type ServerEvent,
  type ServerEventName,
  type WaitingView,
} from '@preau/protocol';
import { saveSessionFloor, sessionFloor } from '@preau/storage';
import type { SessionHands } from '../hands/SessionHands';
import type { Participant } from '../session/LiveSession';
import { socketOf } from '../session/participantMachine';
import type { SessionContext } from '../session/SessionContext';
import { type Actor, isModerator } from '../session/types';

interface Waiting {
  participantId: string;
  name: string;
  socketId: string;
  since: Date;
}

/**
 * The finer teacher controls of a session, "the floor": co-teachers (a
 * participant given the moderators' controls for this session, revocable),
 * one person's chat muted, the chat closed to students, all hands lowered,
 * and the waiting room where students stay until a moderator admits them.
 * Each act is checked here, traced, then applied and announced.
 */
export class SessionFloor {
  readonly #s: SessionContext;
  readonly #hands: SessionHands;
  #chatOpen = true;
  #waitingRoom = false;
  #loaded: Promise<void> | null = null;
  readonly #coTeachers = new Set<string>();
  readonly #chatMuted = new Set<string>();
  readonly #waiting = new Map<string, Waiting>();
  /** People admitted from the waiting room: they come back without waiting again. */
  readonly #admitted = new Set<string>();

  constructor(session: SessionContext, hands: SessionHands) {
    this.#s = session;
    this.#hands = hands;
  }

  /** Reads the stored settings once (inside the session's queue). */
  load(): Promise<void> {
    this.#loaded ??= this.#s
      .write((tx) => sessionFloor(tx, this.#s.id))
      .then((floor) => {
        this.#chatOpen = floor.chatOpen;
        this.#waitingRoom = floor.waitingRoom;
      })
      .catch((err: unknown) => {
        this.#loaded = null;
        throw err;
      });
    return this.#loaded;
  }

  /** A person's rights in this session: a co-teacher holds the moderators' `moderate`. */
  rightsOf(participantId: string, rights: readonly Right[]): readonly Right[] {
    if (!this.#coTeachers.has(participantId) || rights.includes('moderate')) return rights;
    return [...rights, 'moderate'];
  }

  /** The settings as one participant sees them (others' chat mutes only for moderators). */
  viewFor(participantId: string, moderator: boolean): FloorView {
    return {
      chatOpen: this.#chatOpen,
      waitingRoom: this.#waitingRoom,
      coTeachers: [...this.#coTeachers],
      chatMuted: moderator
        ? [...this.#chatMuted]
        : this.#chatMuted.has(participantId)
          ? [participantId]
          : [],
    };
  }

  /** Who waits, first come first. */
  waitingList(): WaitingView[] {
    return [...this.#waiting.values()].map((w) => ({
      participantId: w.participantId,
      name: w.name,
      since: w.since.toISOString(),
    }));
  }

  /**
   * Called (inside the queue) before a newcomer arrives: with the waiting
   * room on, a student not yet admitted is put in the queue and refused with
   * `waiting_room`; moderators are told.
   */
  checkArrival(actor: Actor): void {
    if (!this.#waitingRoom || isModerator(actor.rights)) return;
    if (this.#admitted.has(actor.participantId)) return;
    const known = this.#waiting.get(actor.participantId);
    this.#waiting.set(actor.participantId, {
      participantId: actor.participantId,
      name: actor.name,
      socketId: actor.socketId,
      since: known?.since ?? this.#s.now(),
    });
    this.#announceWaiting();
    throw new PreauError('waiting_room', 'a teacher will let you in');
  }

  /** A socket closed: whoever waited on it leaves the queue. */
  socketClosed(socketId: string): void {
    for (const w of this.#waiting.values()) {
      if (w.socketId === socketId) {
        this.#waiting.delete(w.participantId);
        this.#announceWaiting();
      }
    }
  }

  /** Refuses a chat message of a muted participant, or of a student while the chat is closed. */
  assertMayChat(p: Participant): void {
    if (p.moderator) return;
    if (this.#chatMuted.has(p.id)) {
      throw new PreauError('chat_muted', 'a teacher muted your chat');
    }
    if (!this.#chatOpen) throw new PreauError('chat_closed', 'the chat is closed to students');
  }

  /** Makes a participant co-teacher, or takes it back. Only a teacher of the space does this. */
  setCoTeacher(actor: Actor, target: string, granted: boolean): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = this.#requireTeacher(actor);
      const t = s.present(target);
      if (t.id === p.id) throw new PreauError('forbidden', 'not on oneself');
      if (!this.#coTeachers.has(t.id) && t.moderator) {
        throw new PreauError('conflict', 'already a teacher');
      }
      if (this.#coTeachers.has(t.id) === granted) return;
      await s.moderationTrace(p.id, granted ? 'co_teacher_granted' : 'co_teacher_revoked', t.id);
      if (granted) this.#coTeachers.add(t.id);
      else this.#coTeachers.delete(t.id);
      // The co-teacher's token never held `moderate`: revoking takes away only what was lent.
      t.rights = granted ? this.rightsOf(t.id, t.rights) : t.rights.filter((r) => r !== 'moderate');
      t.moderator = granted;
      s.announce(t);
      s.tell(t, granted ? 'co_teacher_granted' : 'co_teacher_revoked', p.id);
      this.#announceFloor();
      if (granted) this.#sendWaitingTo(t);
    });
  }

  /** Mutes or unmutes one participant's chat. */
  muteChat(actor: Actor, target: string, muted: boolean): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const t = s.present(target);
      if (t.moderator) throw new PreauError('forbidden', 'a moderator’s chat is not muted');
      if (this.#chatMuted.has(t.id) === muted) return;
      await s.moderationTrace(p.id, muted ? 'chat_muted' : 'chat_unmuted', t.id);
      if (muted) this.#chatMuted.add(t.id);
      else this.#chatMuted.delete(t.id);
      s.tell(t, muted ? 'chat_muted' : 'chat_unmuted', p.id);
      this.#announceFloor();
    });
  }

  /** Opens or closes the chat to students (moderators always write). */
  setChatOpen(actor: Actor, open: boolean): Promise<void> {
    return this.#setting(actor, open ? 'chat_opened' : 'chat_closed', () => {
      this.#chatOpen = open;
    });
  }

  /** Turns the waiting room on or off; off, everyone waiting is admitted. */
  setWaitingRoom(actor: Actor, enabled: boolean): Promise<void> {
    return this.#setting(actor, enabled ? 'waiting_room_on' : 'waiting_room_off', async (by) => {
      this.#waitingRoom = enabled;
      if (!enabled) await this.#admit(by, [...this.#waiting.keys()]);
    });
  }

  /** Lowers every raised hand. */
  lowerAllHands(actor: Actor): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      if (this.#hands.list().length === 0) return;
      await s.moderationTrace(p.id, 'lower_all_hands');
      await this.#hands.lowerAll();
    });
  }

  /** Admits one person waiting, or everyone waiting. */
  admit(actor: Actor, target?: string): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      if (target !== undefined && !this.#waiting.has(target)) {
        throw new PreauError('not_found', 'nobody of that id is waiting');
      }
      await this.#admit(p.id, target !== undefined ? [target] : [...this.#waiting.keys()]);
    });
  }

  /** Turns away one person waiting; they are told. */
  deny(actor: Actor, target: string): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const w = this.#waiting.get(target);
      if (!w) throw new PreauError('not_found', 'nobody of that id is waiting');
      await s.moderationTrace(p.id, 'denied', target);
      this.#waiting.delete(target);
      s.send(w.socketId, 'waiting.denied', {});
      this.#announceWaiting();
    });
  }

  async #admit(by: string, ids: string[]) {
    const s = this.#s;
    for (const id of ids) {
      const w = this.#waiting.get(id);
      if (!w) continue;
      await s.moderationTrace(by, 'admitted', id);
      this.#waiting.delete(id);
      this.#admitted.add(id);
      s.send(w.socketId, 'waiting.admitted', {});
    }
    if (ids.length > 0) this.#announceWaiting();
  }

  #setting(actor: Actor, action: ModerationAction, apply: (by: string) => unknown): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      await s.moderationTrace(p.id, action);
      await apply(p.id);
      await s.write((tx) =>
        saveSessionFloor(tx, s.id, { waitingRoom: this.#waitingRoom, chatOpen: this.#chatOpen }),
      );
      this.#announceFloor();
    });
  }

  /** A teacher of the space (by their token), not a co-teacher: only they name co-teachers. */
  #requireTeacher(actor: Actor): Participant {
    const p = this.#s.requireModerator(actor);
    if (this.#coTeachers.has(p.id)) {
      throw new PreauError('forbidden', 'co-teachers do not name co-teachers');
    }
    return p;
  }

  #announceFloor() {
    for (const p of this.#s.participants()) {
      this.#sendTo(p, 'floor.updated', this.viewFor(p.id, p.moderator));
    }
  }

  #announceWaiting() {
    for (const p of this.#s.participants()) if (p.moderator) this.#sendWaitingTo(p);
  }

  #sendWaitingTo(p: Participant) {
    this.#sendTo(p, 'waiting.updated', { waiting: this.waitingList() });
  }

  #sendTo<E extends ServerEventName>(p: Participant, event: E, payload: ServerEvent<E>) {
    const socket = socketOf(p.state);
    if (socket) this.#s.send(socket, event, payload);
  }
}
