import {
  type BringableClass,
  type CreateSpaceRequest,
  type MySpace,
  type Notification,
  type OverseenSpace,
  PreauError,
  type SchoolSettings,
  type SpaceMemberView,
  type SpaceRole,
  type SpaceState,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import {
  addSpaceClass,
  classesOfPerson,
  classTaughtBy,
  deleteMember,
  displayName,
  type Fanout,
  groupIdsOfProject,
  insertSpace,
  memberRole,
  memberRows,
  newSpaceId,
  putMember,
  putSchoolSettings,
  recordTrace,
  type Schema,
  schoolSettings,
  schoolsOfPersons,
  setSpaceState,
  spaceClasses,
  spaceIdsOfPerson,
  spaceIdsOfSchools,
  summaryOf,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess, SpaceGrant } from './access';
import { type Announcements, byName, MembershipActs, type User } from './membership';

const SPACE_ORDER = { class: 0, teaching: 1, project: 2, group: 3 } as const;

/**
 * Spaces and their membership: creating groups, projects and teaching
 * groups, roles, leaving, archiving, suspension and the bounds each school
 * sets (invitations are InvitationsService's). Every act checks its permission through
 * SpaceAccess, runs in one transaction with its trace record, and announces
 * itself (notifications, membership changes) after it committed.
 */
export class SpacesService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;
  readonly #log: Logger;
  /** Tracing, announcing and bounding membership acts, shared with the invitations. */
  readonly membership: MembershipActs;

  constructor(deps: {
    db: Kysely<Schema>;
    access: SpaceAccess;
    fanout: Fanout;
    notify: (n: readonly Notification[]) => Promise<void>;
    log: Logger;
  }) {
    this.#db = deps.db;
    this.#access = deps.access;
    this.#log = deps.log;
    this.membership = new MembershipActs(deps);
  }

  /** Every space a person belongs to, classes first, each with their role and permissions. */
  async mine(user: User): Promise<MySpace[]> {
    const ids = await spaceIdsOfPerson(this.#db, user.id);
    return this.#views(user, ids);
  }

  /** The school's work and teaching groups, for its staff (CPE, head): names and members only. */
  async overseen(user: User): Promise<MySpace[]> {
    const uais = user.profiles.filter((p) => p.kind === 'staff').map((p) => p.uai);
    const ids = await spaceIdsOfSchools(this.#db, uais, ['group', 'teaching']);
    return this.#views(user, ids);
  }

  /** `overseen`, with each group's leader and number of members (the staff's list). */
  async oversight(user: User): Promise<OverseenSpace[]> {
    const spaces = await this.overseen(user);
    const lead: SpaceRole[] = ['owner', 'teacher'];
    return Promise.all(
      spaces.map(async (space) => {
        const rows = await memberRows(this.#db, space.id);
        const leader = lead
          .map((role) => rows.find((r) => r.role === role))
          .find((r) => r !== undefined);
        return {
          ...space,
          ownerName: leader
            ? displayName({ given_name: leader.givenName, family_name: leader.familyName })
            : null,
          memberCount: rows.length,
        };
      }),
    );
  }

  /** Classes the teacher teaches and has not brought into this project or teaching group yet. */
  async bringable(user: User, spaceId: string): Promise<BringableClass[]> {
    const grant = await this.#access.require(user, spaceId, 'invite');
    if (grant.facts.kind !== 'project' && grant.facts.kind !== 'teaching') return [];
    const inside = new Set((await spaceClasses(this.#db, spaceId)).map((c) => c.classId));
    return (await classesOfPerson(this.#db, user.id))
      .filter((c) => c.role === 'teacher' && !inside.has(c.id))
      .filter((c) => grant.facts.kind === 'project' || c.uai === grant.facts.uai)
      .map((c) => ({ classId: c.id, name: c.name, schoolName: c.schoolName }));
  }

  /** The work groups made inside a project, as its members see them (those they may see). */
  async groupsOfProject(user: User, projectId: string): Promise<MySpace[]> {
    await this.#access.require(user, projectId, 'see');
    return this.#views(user, await groupIdsOfProject(this.#db, projectId));
  }

  /** One space as this person sees it; `not_found` or `forbidden` otherwise. */
  async get(user: User, spaceId: string): Promise<MySpace> {
    const grant = await this.#access.require(user, spaceId, 'see');
    return this.#view(grant);
  }

  /** Members with name, role and school (a project shows each member's school). */
  async members(user: User, spaceId: string): Promise<SpaceMemberView[]> {
    await this.#access.require(user, spaceId, 'see');
    const rows = await memberRows(this.#db, spaceId);
    const schools = await schoolsOfPersons(
      this.#db,
      rows.map((r) => r.personId),
    );
    const rank: Record<SpaceRole, number> = {
      owner: 0,
      teacher: 1,
      coowner: 2,
      member: 3,
      student: 4,
      guest: 5,
    };
    return rows
      .map((r) => ({
        personId: r.personId,
        displayName: displayName({ given_name: r.givenName, family_name: r.familyName }),
        role: r.role,
        schoolName: schools.get(r.personId)?.name ?? null,
        family: r.familyName,
      }))
      .sort((a, b) => rank[a.role] - rank[b.role] || byName(a.family, b.family))
      .map(({ family: _, ...m }) => m);
  }

  /** Classes brought into a project or teaching group. */
  async classes(user: User, spaceId: string) {
    await this.#access.require(user, spaceId, 'see');
    return spaceClasses(this.#db, spaceId);
  }

  /**
   * Creates a work group (in the creator's school, or inside a project they
   * belong to), a project (teachers) or a teaching group (a teacher of that
   * school). The creator is its owner (a teaching group's teacher).
   */
  async create(user: User, input: CreateSpaceRequest): Promise<MySpace> {
    const teacherOf = user.profiles.filter((p) => p.kind === 'teacher').map((p) => p.uai);
    const studentOf = user.profiles.filter((p) => p.kind === 'student').map((p) => p.uai);
    let uai: string | null = null;
    let projectId: string | null = null;
    let role: SpaceRole = 'owner';
    if (input.kind === 'project') {
      if (teacherOf.length === 0) throw new PreauError('forbidden', 'only teachers open projects');
    } else if (input.kind === 'teaching') {
      if (!teacherOf.includes(input.uai))
        throw new PreauError('forbidden', 'only a teacher of this school makes a teaching group');
      uai = input.uai;
      role = 'teacher';
    } else {
      if (input.projectId) {
        const project = await this.#access.require(user, input.projectId, 'write');
        if (project.facts.kind !== 'project')
          throw new PreauError('bad_request', 'a work group is made inside a project only');
        projectId = input.projectId;
      }
      uai = teacherOf[0] ?? studentOf[0] ?? null;
      if (!uai) throw new PreauError('forbidden', 'only students and teachers make work groups');
      if (teacherOf.length === 0) await this.membership.checkStudentBounds(user, uai);
    }
    const id = newSpaceId(input.kind);
    await this.#db.transaction().execute(async (tx) => {
      await insertSpace(tx, {
        id,
        kind: input.kind,
        name: input.name,
        uai,
        projectId,
        createdBy: user.id,
      });
      await recordTrace(tx, {
        actor: user.id,
        kind: 'space.created',
        space: id,
        subject: id,
        payload: { kind: input.kind, name: input.name, uai, projectId },
      });
      await putMember(tx, { spaceId: id, personId: user.id, role, by: user.id });
      await this.membership.trace(tx, user.id, id, user.id, 'added', role);
    });
    this.#log.info({ spaceId: id, kind: input.kind }, 'space created');
    return this.get(user, id);
  }

  /**
   * Changes a member's role in a work group: co-owner or member (managers),
   * or owner (the owner hands over ownership and becomes a co-owner).
   */
  async setRole(
    user: User,
    spaceId: string,
    personId: string,
    role: 'owner' | 'coowner' | 'member',
  ): Promise<void> {
    const grant = await this.#access.require(user, spaceId, role === 'owner' ? 'own' : 'manage');
    if (grant.facts.kind !== 'group')
      throw new PreauError('bad_request', 'roles are set this way in work groups only');
    const current = await memberRole(this.#db, spaceId, personId);
    if (!current) throw new PreauError('not_found', 'not a member of this group');
    if (current === 'owner')
      throw new PreauError('conflict', 'the owner hands over ownership first');
    const announce: Announcements = { notifications: [], memberships: [] };
    await this.#db.transaction().execute(async (tx) => {
      if (role === 'owner') {
        await putMember(tx, { spaceId, personId: user.id, role: 'coowner', by: user.id });
        await this.membership.trace(tx, user.id, spaceId, user.id, 'role', 'coowner');
      }
      await putMember(tx, { spaceId, personId, role, by: user.id });
      await this.membership.trace(tx, user.id, spaceId, personId, 'role', role);
    });
    announce.memberships.push({ space: spaceId, person: personId, change: 'role', role });
    announce.notifications.push({
      type: 'membership',
      to: personId,
      spaceId,
      spaceName: grant.facts.name,
      change: 'role',
    });
    await this.membership.announce(announce);
  }

  /** A manager removes a member (never the owner); anyone may remove themself (`leave`). */
  async remove(user: User, spaceId: string, personId: string): Promise<void> {
    const self = personId === user.id;
    const grant = await this.#access.require(user, spaceId, self ? 'see' : 'manage');
    if (grant.facts.kind === 'class')
      throw new PreauError('bad_request', 'class membership comes from the directory');
    const current = await memberRole(this.#db, spaceId, personId);
    if (!current)
      throw new PreauError('not_found', 'not a member of this space (or only through a class)');
    if (current === 'owner') {
      const others = (await memberRows(this.#db, spaceId)).filter((m) => m.personId !== personId);
      if (others.length > 0)
        throw new PreauError('conflict', 'the owner hands over ownership before leaving');
    }
    await this.#db.transaction().execute(async (tx) => {
      await deleteMember(tx, spaceId, personId);
      await this.membership.trace(tx, user.id, spaceId, personId, 'removed', current);
      // The last one out archives the group: its traces stay, read-only.
      if (current === 'owner') await setSpaceState(tx, spaceId, 'archived', user.id, null);
    });
    await this.membership.announce({
      memberships: [{ space: spaceId, person: personId, change: 'removed', role: current }],
      notifications: self
        ? []
        : [
            {
              type: 'membership',
              to: personId,
              spaceId,
              spaceName: grant.facts.name,
              change: 'removed',
            },
          ],
    });
  }

  /**
   * Archives a space (its owner: read-only, traces kept) or brings it back,
   * suspends it or lifts a suspension (the school's staff). Every member is
   * notified and their live connections re-checked.
   */
  async setState(
    user: User,
    spaceId: string,
    state: SpaceState,
    reason?: string,
  ): Promise<MySpace> {
    const before = (await this.#access.check(user, [spaceId])).get(spaceId);
    if (!before || before.facts.kind === 'class')
      throw new PreauError('not_found', 'unknown space');
    const bySuspension = state === 'suspended' || before.facts.state === 'suspended';
    const grant = await this.#access.require(user, spaceId, bySuspension ? 'suspend' : 'manage');
    if (grant.facts.state === state) return this.#view(grant);
    await this.#db.transaction().execute(async (tx) => {
      await setSpaceState(tx, spaceId, state, user.id, reason ?? null);
      await recordTrace(tx, {
        actor: user.id,
        kind: 'space.state',
        space: spaceId,
        subject: spaceId,
        payload: { from: grant.facts.state, to: state, ...(reason ? { reason } : {}) },
      });
    });
    const members = await memberRows(this.#db, spaceId);
    await this.membership.announce({
      memberships: members.map((m) => ({
        space: spaceId,
        person: m.personId,
        change: 'role' as const,
        role: m.role,
      })),
      notifications: members
        .filter((m) => m.personId !== user.id)
        .map((m) => ({
          type: 'membership' as const,
          to: m.personId,
          spaceId,
          spaceName: grant.facts.name,
          change: 'state' as const,
        })),
    });
    return this.get(user, spaceId);
  }

  /** A project's (or teaching group's) teacher brings a whole class they teach. */
  async addClass(user: User, spaceId: string, classId: string): Promise<void> {
    const grant = await this.#access.require(user, spaceId, 'invite');
    if (grant.facts.kind !== 'project' && grant.facts.kind !== 'teaching')
      throw new PreauError('bad_request', 'classes are brought into projects and teaching groups');
    const uai = await classTaughtBy(this.#db, user.id, classId);
    if (!uai) throw new PreauError('forbidden', 'bring only a class you teach');
    // A teaching group gathers classes of its own school; a project, of any.
    if (grant.facts.kind === 'teaching' && uai !== grant.facts.uai)
      throw new PreauError('bad_request', 'a teaching group gathers classes of its school only');
    await this.#db.transaction().execute(async (tx) => {
      if (!(await addSpaceClass(tx, { spaceId, classId, by: user.id }))) return;
      await recordTrace(tx, {
        actor: user.id,
        kind: 'membership.changed',
        space: spaceId,
        subject: classId,
        payload: { change: 'added', class: classId },
      });
    });
  }

  /** A school's bounds on work groups (its staff and admins read and set them). */
  async settings(user: User, uai: string): Promise<SchoolSettings> {
    this.#requireSchoolStaff(user, uai);
    return schoolSettings(this.#db, uai);
  }

  /** Sets a school's bounds. */
  async putSettings(user: User, uai: string, settings: SchoolSettings): Promise<SchoolSettings> {
    this.#requireSchoolStaff(user, uai);
    await putSchoolSettings(this.#db, uai, settings, user.id);
    return schoolSettings(this.#db, uai);
  }

  #requireSchoolStaff(user: User, uai: string) {
    const staff = user.profiles.some((p) => p.kind === 'staff' && p.uai === uai);
    if (!staff && !user.roles.includes('admin'))
      throw new PreauError('forbidden', 'the school’s staff set its bounds');
  }

  /** Whom the inviter may invite into this space. */
  async #views(user: User, ids: readonly string[]): Promise<MySpace[]> {
    const grants = await this.#access.check(user, ids);
    return (
      [...grants.values()]
        .filter((g) => g.permissions.includes('see'))
        .map((g) => this.#view(g))
        // By kind, then school (a teacher of two schools sees each school's classes together), then name.
        .sort(
          (a, b) =>
            SPACE_ORDER[a.kind] - SPACE_ORDER[b.kind] ||
            byName(a.schoolName ?? '', b.schoolName ?? '') ||
            byName(a.name, b.name),
        )
    );
  }

  #view(grant: SpaceGrant): MySpace {
    return { ...summaryOf(grant.facts), role: grant.facts.role, permissions: grant.permissions };
  }
}
