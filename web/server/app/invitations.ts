import {
  type Invitation,
  type Invitee,
  type MySpace,
  PreauError,
  type SpaceRole,
} from '@preau/protocol';
import {
  type CandidateFilter,
  candidatesInSchools,
  classmatesOf,
  closeInvitation,
  displayName,
  insertInvitation,
  memberRows,
  pendingInvitations,
  putMember,
  recordTrace,
  type Schema,
  schoolsOfPersons,
  searchWords,
  spaceIdsOfPerson,
  studentsTaughtBy,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess, SpaceGrant } from './access';
import { type Announcements, byName, type MembershipActs, type User } from './membership';
import type { SpacesService } from './spaces';

/** How many people one invitation search shows. */
const INVITEES_SHOWN = 20;

/**
 * Invitations into spaces: finding whom one may invite (classmates, the
 * school, people met in a project; across schools, teachers only), inviting,
 * answering in one click with no one else validating, withdrawing. Each act
 * checks its permission through SpaceAccess, runs in one transaction with
 * its trace record, and notifies once committed.
 */
export class InvitationsService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;
  readonly #spaces: SpacesService;
  readonly #membership: MembershipActs;

  constructor(deps: { db: Kysely<Schema>; access: SpaceAccess; spaces: SpacesService }) {
    this.#db = deps.db;
    this.#access = deps.access;
    this.#spaces = deps.spaces;
    this.#membership = deps.spaces.membership;
  }

  /** People the inviter may invite into a space, matching a name (at most 20). */
  async invitees(user: User, spaceId: string, q: string): Promise<Invitee[]> {
    const grant = await this.#access.require(user, spaceId, 'invite');
    const members = (await memberRows(this.#db, spaceId)).map((m) => m.personId);
    return this.#invitable(user, grant, {
      words: searchWords(q),
      except: [...members, user.id],
      limit: INVITEES_SHOWN,
    });
  }

  /**
   * Invites people into a space: each must be one the inviter may invite,
   * not already a member; a work group stays within its school's bound on
   * members (pending invitations count). Each invited person is notified.
   */
  async invite(user: User, spaceId: string, personIds: readonly string[]): Promise<Invitation[]> {
    const grant = await this.#access.require(user, spaceId, 'invite');
    const members = new Set((await memberRows(this.#db, spaceId)).map((m) => m.personId));
    const unique = [...new Set(personIds)].filter((id) => !members.has(id));
    const invitable = new Set(
      (await this.#invitable(user, grant, { only: unique, except: [user.id] })).map(
        (c) => c.personId,
      ),
    );
    const refused = unique.filter((id) => !invitable.has(id));
    if (refused.length > 0)
      throw new PreauError('forbidden', 'some of these people may not be invited here', [
        { path: 'personIds', message: refused.join(',') },
      ]);
    if (grant.facts.kind === 'group' && grant.facts.uai) {
      const pending = (await pendingInvitations(this.#db, { spaceId })).length;
      await this.#membership.checkGroupRoom(spaceId, grant.facts.uai, unique.length, pending);
    }
    const ids = await this.#db.transaction().execute(async (tx) => {
      const created: string[] = [];
      for (const personId of unique) {
        const id = await insertInvitation(tx, { spaceId, personId, invitedBy: user.id });
        if (!id) continue;
        created.push(id);
        await recordTrace(tx, {
          actor: user.id,
          kind: 'invitation.sent',
          space: spaceId,
          subject: personId,
          payload: { invitation: id, person: personId },
        });
      }
      return created;
    });
    const invitations = (await pendingInvitations(this.#db, { spaceId })).filter((i) =>
      ids.includes(i.id),
    );
    await this.#membership.notify(
      invitations.map((invitation) => ({
        type: 'invitation' as const,
        to: invitation.personId,
        invitation,
      })),
    );
    return invitations;
  }

  /** Pending invitations to a person. */
  async invitations(user: User): Promise<Invitation[]> {
    return pendingInvitations(this.#db, { personId: user.id });
  }

  /** Pending invitations into a space, for those who may invite there. */
  async pendingInto(user: User, spaceId: string): Promise<Invitation[]> {
    await this.#access.require(user, spaceId, 'invite');
    return pendingInvitations(this.#db, { spaceId });
  }

  /**
   * The invited person accepts or declines, in one click and with no one
   * else validating. Accepting a work group checks the bounds again (the
   * group may have filled up meanwhile).
   */
  async answer(user: User, invitationId: string, accept: boolean): Promise<MySpace | null> {
    const [invitation] = await pendingInvitations(this.#db, { id: invitationId });
    if (!invitation || invitation.personId !== user.id)
      throw new PreauError('not_found', 'no such pending invitation');
    const grant = (await this.#access.check(user, [invitation.spaceId])).get(invitation.spaceId);
    if (!grant) throw new PreauError('not_found', 'no such pending invitation');
    if (accept && grant.facts.state !== 'active')
      throw new PreauError('conflict', 'this space is archived or suspended');
    const role = this.#roleOnJoining(user, grant);
    if (accept && grant.facts.kind === 'group' && grant.facts.uai) {
      await this.#membership.checkGroupRoom(invitation.spaceId, grant.facts.uai, 1);
      if (!user.profiles.some((p) => p.kind === 'teacher'))
        await this.#membership.checkGroupsPerStudent(user, grant.facts.uai);
    }
    const announce: Announcements = { notifications: [], memberships: [] };
    await this.#db.transaction().execute(async (tx) => {
      if (!(await closeInvitation(tx, invitationId, accept ? 'accepted' : 'declined')))
        throw new PreauError('conflict', 'this invitation was already answered');
      await recordTrace(tx, {
        actor: user.id,
        kind: 'invitation.answered',
        space: invitation.spaceId,
        subject: user.id,
        payload: { invitation: invitationId, accepted: accept },
      });
      if (accept) {
        await putMember(tx, {
          spaceId: invitation.spaceId,
          personId: user.id,
          role,
          by: invitation.invitedBy,
        });
        await this.#membership.trace(tx, user.id, invitation.spaceId, user.id, 'added', role);
        announce.memberships.push({
          space: invitation.spaceId,
          person: user.id,
          change: 'added',
          role,
        });
      }
    });
    announce.notifications.push({
      type: 'invitation.answered',
      to: invitation.invitedBy,
      invitationId,
      spaceId: invitation.spaceId,
      spaceName: invitation.spaceName,
      personName: invitation.personName,
      accepted: accept,
    });
    await this.#membership.announce(announce);
    return accept ? this.#spaces.get(user, invitation.spaceId) : null;
  }

  /** The inviter (or a manager of the space) withdraws a pending invitation. */
  async withdraw(user: User, spaceId: string, invitationId: string): Promise<void> {
    const grant = await this.#access.require(user, spaceId, 'invite');
    const [invitation] = await pendingInvitations(this.#db, { id: invitationId, spaceId });
    if (!invitation) throw new PreauError('not_found', 'no such pending invitation');
    if (invitation.invitedBy !== user.id && !grant.permissions.includes('manage'))
      throw new PreauError('forbidden', 'only who invited, or a manager, withdraws an invitation');
    await this.#db.transaction().execute(async (tx) => {
      if (!(await closeInvitation(tx, invitationId, 'withdrawn')))
        throw new PreauError('conflict', 'this invitation was already answered');
      await recordTrace(tx, {
        actor: user.id,
        kind: 'invitation.withdrawn',
        space: spaceId,
        subject: invitation.personId,
        payload: { invitation: invitationId },
      });
    });
    await this.#membership.notify([
      { type: 'invitation.withdrawn', to: invitation.personId, invitationId },
    ]);
  }

  /**
   * The people `user` may invite into a space, narrowed by `filter` in the
   * database (never a whole school read and filtered here): in a project,
   * teachers of any school and the inviter's own students; in a work group of
   * a project, the project's members; otherwise students and teachers of the
   * inviter's schools (a teaching group: students of its school), classmates
   * first, then people met in a shared project.
   */
  async #invitable(user: User, grant: SpaceGrant, filter: CandidateFilter): Promise<Invitee[]> {
    const f = grant.facts;
    const except = new Set(filter.except);
    const keep = (c: Invitee) =>
      !except.has(c.personId) &&
      (!filter.only || filter.only.includes(c.personId)) &&
      (filter.words ?? []).every((w) => searchWords(c.displayName).join(' ').includes(w));
    const limited = (list: Invitee[]) => (filter.limit ? list.slice(0, filter.limit) : list);
    if (f.kind === 'project') {
      // Across schools, teachers only, each shown with their school; and the
      // inviter's own students, chosen one by one instead of a whole class.
      const students = await studentsTaughtBy(this.#db, user.id, filter);
      const teachers = await candidatesInSchools(this.#db, 'all', ['teacher'], filter);
      return limited([
        ...students.map((c) => this.#invitee(c, 'class')),
        ...teachers.map((c) => this.#invitee(c, 'school')),
      ]);
    }
    if (f.projectId) {
      // A project's members are bounded by the project: read them, then narrow.
      const mates = await memberRows(this.#db, f.projectId);
      const schools = await schoolsOfPersons(
        this.#db,
        mates.map((m) => m.personId),
      );
      const all = mates.map((m) => ({
        personId: m.personId,
        displayName: displayName({ given_name: m.givenName, family_name: m.familyName }),
        schoolName: schools.get(m.personId)?.name ?? null,
        reason: 'project' as const,
        kind: m.role === 'student' ? ('student' as const) : ('teacher' as const),
      }));
      return limited(all.filter(keep).sort((a, b) => byName(a.displayName, b.displayName)));
    }
    const own = user.profiles
      .filter((p) => p.kind === 'student' || p.kind === 'teacher')
      .map((p) => p.uai);
    const uais = f.kind === 'teaching' && f.uai ? [f.uai] : own;
    const kinds: Array<'student' | 'teacher'> =
      f.kind === 'teaching' ? ['student'] : ['student', 'teacher'];
    const classmates = await classmatesOf(this.#db, user.id);
    const inSchool = await candidatesInSchools(this.#db, uais, kinds, {
      ...filter,
      prefer: [...classmates],
    });
    const projectMates = (await this.#projectMates(user)).filter(keep);
    const byId = new Map<string, Invitee>();
    for (const c of inSchool)
      byId.set(c.personId, this.#invitee(c, classmates.has(c.personId) ? 'class' : 'school'));
    for (const m of projectMates) if (!byId.has(m.personId)) byId.set(m.personId, m);
    const rank = { class: 0, project: 1, school: 2 } as const;
    return limited(
      [...byId.values()].sort(
        (a, b) => rank[a.reason] - rank[b.reason] || byName(a.displayName, b.displayName),
      ),
    );
  }

  #invitee(
    c: {
      personId: string;
      givenName: string;
      familyName: string;
      schoolName: string;
      kind: 'student' | 'teacher';
    },
    reason: Invitee['reason'],
  ): Invitee {
    return {
      personId: c.personId,
      displayName: displayName({ given_name: c.givenName, family_name: c.familyName }),
      schoolName: c.schoolName,
      reason,
      kind: c.kind,
    };
  }

  /** Everyone a person shares a project with. */
  async #projectMates(user: User): Promise<Invitee[]> {
    const ids = await spaceIdsOfPerson(this.#db, user.id);
    const projects = ids.filter((id) => id.startsWith('project_'));
    const out: Invitee[] = [];
    for (const projectId of projects) {
      const mates = await memberRows(this.#db, projectId);
      const schools = await schoolsOfPersons(
        this.#db,
        mates.map((m) => m.personId),
      );
      for (const m of mates)
        if (m.role === 'student' || m.role === 'teacher' || m.role === 'owner')
          out.push({
            personId: m.personId,
            displayName: displayName({ given_name: m.givenName, family_name: m.familyName }),
            schoolName: schools.get(m.personId)?.name ?? null,
            reason: 'project',
            kind: m.role === 'student' ? 'student' : 'teacher',
          });
    }
    return out;
  }

  /** The role someone takes on accepting: a work group's member, a project's teacher or student. */
  #roleOnJoining(user: User, grant: SpaceGrant): SpaceRole {
    const teacher = user.profiles.some((p) => p.kind === 'teacher');
    if (grant.facts.kind === 'group') return 'member';
    return teacher ? 'teacher' : 'student';
  }
}
