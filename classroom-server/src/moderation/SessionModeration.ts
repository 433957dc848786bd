import { PreauError } from '@preau/protocol';
import { updateSessionPolicy } from '@preau/storage';
import type { MediaSignalling } from '../media/MediaSignalling';
import type { SessionContext } from '../session/SessionContext';
import type { Actor } from '../session/types';

/**
 * Teacher controls, enforced here whatever the client shows: each checks the
 * moderator, records its trace, then acts (at the SFU for media).
 */
export class SessionModeration {
  readonly #s: SessionContext;

  constructor(session: SessionContext) {
    this.#s = session;
  }

  /** Pauses a participant's microphone at the SFU. */
  mute(actor: Actor, target: string): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const t = s.present(target);
      await s.moderationTrace(p.id, 'mute', t.id);
      await this.#media().pauseSources(t.id, 'mic');
      s.tell(t, 'mute', p.id);
    });
  }

  /** Pauses every microphone but the moderators'. */
  muteAll(actor: Actor): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      await s.moderationTrace(p.id, 'mute_all');
      const media = this.#media();
      for (const t of s.participants()) {
        if (t.moderator) continue;
        if (await media.pauseSources(t.id, 'mic')) s.tell(t, 'mute_all', p.id);
      }
    });
  }

  /** Stops a participant's camera (closes it at the SFU). */
  stopCamera(actor: Actor, target: string): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const t = s.present(target);
      await s.moderationTrace(p.id, 'stop_camera', t.id);
      await this.#media().closeSources(t.id, 'camera');
      s.tell(t, 'stop_camera', p.id);
    });
  }

  /** Allows or forbids students' screen sharing; forbidding stops the shares in progress. */
  setStudentScreenShare(actor: Actor, allowed: boolean): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const action = allowed ? 'screen_share_allowed' : 'screen_share_forbidden';
      await s.write(async (tx) => {
        await updateSessionPolicy(tx, s.id, { studentScreenShare: allowed });
        await s.trace(tx, p.id, 'session.moderation', s.id, { action });
      });
      s.setPolicy({ studentScreenShare: allowed });
      if (!allowed && s.media) {
        for (const t of s.participants()) {
          if (!s.canShareScreen(t)) await s.media.closeSources(t.id, 'screen');
        }
      }
      s.broadcast('session.updated', s.view());
    });
  }

  /** Puts a participant out of the session for good. */
  remove(actor: Actor, target: string): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      const t = s.present(target);
      if (t.id === p.id || t.moderator) {
        throw new PreauError('forbidden', 'a moderator cannot be removed');
      }
      await s.moderationTrace(p.id, 'remove', t.id);
      s.banish(t.id);
      await s.depart(t, 'removed');
    });
  }

  /** Locks (no newcomers but moderators) or unlocks the session. */
  setLocked(actor: Actor, locked: boolean): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      await s.write(async (tx) => {
        await updateSessionPolicy(tx, s.id, { locked });
        await s.trace(tx, p.id, 'session.moderation', s.id, {
          action: locked ? 'lock' : 'unlock',
        });
      });
      s.setPolicy({ locked });
      s.broadcast('session.updated', s.view());
    });
  }

  /** Ends the session for everyone; the teacher's own socket stays open for the ack. */
  end(actor: Actor): Promise<void> {
    const s = this.#s;
    return s.run(async () => {
      const p = s.requireModerator(actor);
      await s.end(p.id, actor.socketId);
    });
  }

  #media(): MediaSignalling {
    if (!this.#s.media) throw new PreauError('unavailable', 'no media server');
    return this.#s.media;
  }
}
