import {
  MEMBERSHIP_CHANNEL,
  type MembershipChange,
  type Notification,
  PreauError,
  type SchoolSettings,
  type SessionUser,
  type SpaceRole,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import {
  activeGroupCount,
  type Fanout,
  memberRows,
  recordTrace,
  type Schema,
  schoolSettings,
} from '@preau/storage';
import type { Kysely, Transaction } from 'kysely';

export type User = Pick<SessionUser, 'id' | 'name' | 'profiles' | 'roles'>;

/** What the act changed, announced once its transaction committed. */
export interface Announcements {
  notifications: Notification[];
  memberships: MembershipChange[];
}

/** Compares names the way a French reader expects (accents and case aside). */
export const byName = new Intl.Collator('fr', { sensitivity: 'base' }).compare;

/**
 * What every membership act shares, whether it comes from the spaces
 * service (create, roles, leave) or the invitations (accept): its trace
 * record, its announcement once committed, and the bounds a school sets.
 */
export class MembershipActs {
  readonly #db: Kysely<Schema>;
  readonly #fanout: Fanout;
  readonly #notify: (n: readonly Notification[]) => Promise<void>;
  readonly #log: Logger;

  constructor(deps: {
    db: Kysely<Schema>;
    fanout: Fanout;
    notify: (n: readonly Notification[]) => Promise<void>;
    log: Logger;
  }) {
    this.#db = deps.db;
    this.#fanout = deps.fanout;
    this.#notify = deps.notify;
    this.#log = deps.log;
  }

  /** Refuses when a work group has no room left for `adding` more (pending invitations count where given). */
  async checkGroupRoom(spaceId: string, uai: string, adding: number, pending = 0) {
    const { maxGroupMembers } = await schoolSettings(this.#db, uai);
    const count = (await memberRows(this.#db, spaceId)).length;
    if (count + pending + adding > maxGroupMembers)
      throw new PreauError('conflict', `a work group has at most ${maxGroupMembers} members`, [
        { path: 'maxGroupMembers', message: String(maxGroupMembers) },
      ]);
  }

  async checkStudentBounds(user: User, uai: string) {
    const settings = await schoolSettings(this.#db, uai);
    if (!settings.studentsCreateGroups)
      throw new PreauError('forbidden', 'this school does not let students create work groups', [
        { path: 'studentsCreateGroups', message: 'false' },
      ]);
    await this.checkGroupsPerStudent(user, uai, settings);
  }

  async checkGroupsPerStudent(user: User, uai: string, known?: SchoolSettings) {
    const { maxGroupsPerStudent } = known ?? (await schoolSettings(this.#db, uai));
    if ((await activeGroupCount(this.#db, user.id)) >= maxGroupsPerStudent)
      throw new PreauError(
        'conflict',
        `a student belongs to at most ${maxGroupsPerStudent} work groups`,
        [{ path: 'maxGroupsPerStudent', message: String(maxGroupsPerStudent) }],
      );
  }

  trace(
    tx: Transaction<Schema>,
    actor: string,
    spaceId: string,
    personId: string,
    change: 'added' | 'removed' | 'role',
    role: SpaceRole,
  ) {
    return recordTrace(tx, {
      actor,
      kind: 'membership.changed',
      space: spaceId,
      subject: personId,
      payload: { change, role, person: personId, source: 'space' },
    });
  }

  /** Notifies people (after the act committed). */
  notify(notifications: readonly Notification[]): Promise<void> {
    return this.#notify(notifications);
  }

  async announce(a: Announcements) {
    for (const change of a.memberships) {
      try {
        await this.#fanout.publish(MEMBERSHIP_CHANNEL, JSON.stringify(change));
      } catch (err) {
        this.#log.warn({ err }, 'membership change not published');
      }
    }
    await this.#notify(a.notifications);
  }
}
