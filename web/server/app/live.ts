import { randomBytes } from 'node:crypto';
import {
  type AttendanceRow,
  type AttendanceSheet,
  type DocSummary,
  LeaveReason,
  LIVE_SESSION_ENDED_CHANNEL,
  type LiveSessionEndedNotice,
  type Permission,
  PreauError,
  parseSpaceId,
  type SessionSummary,
  type SessionUser,
  type SpaceKind,
  type SpaceRole,
  type StartSessionRequest,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import {
  distinguishersOf,
  endLiveSession,
  type Fanout,
  getSession,
  listAttendance,
  listDocs,
  listSessions,
  type Schema,
  type StoredSession,
  type StoredStay,
  startLiveSession,
} from '@preau/storage';
import type { Kysely } from 'kysely';
// Pure functions shared with the pages (no SvelteKit, no storage): one way to
// tell homonyms apart and to build an attendance sheet, wherever it is shown.
import { attendanceSheet } from '../../src/lib/classroom/attendance';
import { type ShownName, tellApart } from '../../src/lib/classroom/names';
import type { SpaceAccess } from './access';
import type { SpacesService } from './spaces';

type User = Pick<SessionUser, 'id' | 'name' | 'profiles' | 'roles'>;

/** One member of a space with the name the live pages show (homonyms tagged). */
export interface RosterEntry extends ShownName {
  personId: string;
  role: SpaceRole;
  /** Their school (a project's members come from several). */
  schoolName: string | null;
  /** For a homonym only: their login, which the space's pages show beside the name. */
  login?: string;
}

/** What the page of a space's live sessions shows. */
export interface LiveOverview {
  open: SessionSummary | null;
  /** How many are in the open session: someone about to replace it should know. */
  present: number;
  /** Ended sessions (for those who see attendance: the space's moderators). */
  past: SessionSummary[];
  /** May open the live room (or salon) now. */
  canStart: boolean;
  /** May end the open session by starting another (moderators, or who opened it). */
  canReplace: boolean;
  /** Sees attendance (moderators). */
  moderator: boolean;
}

/** The live room of one session: the session, the space's roster and documents. */
export interface LiveRoomView {
  session: SessionSummary;
  moderator: boolean;
  canEdit: boolean;
  roster: Record<string, ShownName>;
  docs: Array<Pick<DocSummary, 'id' | 'kind' | 'title' | 'space' | 'archived'>>;
}

/** A session's attendance for those who moderate its space. */
export interface AttendanceView {
  spaceName: string;
  session: SessionSummary;
  sheet: AttendanceSheet;
}

/** A new live session id: URL-safe, unguessable. */
export function newSessionId(): string {
  return `ls_${randomBytes(12).toString('base64url')}`;
}

/** A stored session as the pages and the API show it. */
export function toSessionSummary(s: StoredSession): SessionSummary {
  return {
    sessionId: s.id,
    space: s.space,
    classId: s.classId,
    title: s.title,
    phase: s.phase,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    startedAt: s.startedAt?.toISOString() ?? null,
    endedAt: s.endedAt?.toISOString() ?? null,
  };
}

/** One stay as the attendance page and API show it. */
export function toAttendanceRow(s: StoredStay): AttendanceRow {
  const reason = LeaveReason.safeParse(s.leaveReason);
  return {
    participantId: s.personId,
    name: s.name,
    joinedAt: s.joinedAt.toISOString(),
    leftAt: s.leftAt?.toISOString() ?? null,
    leaveReason: reason.success ? reason.data : null,
  };
}

/**
 * Live sessions of every kind of space: a class's live lesson, a group's or
 * project's salon. Opening one needs `salon` (a class's teachers; a work
 * group's members unless their school forbids student salons; a project's
 * teachers), in an active space; joining needs `read`; the roster and the
 * attendance come from the space's members, whatever its kind.
 */
export class LiveService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;
  readonly #spaces: SpacesService;
  readonly #fanout: Fanout;
  readonly #log: Logger;

  constructor(deps: {
    db: Kysely<Schema>;
    access: SpaceAccess;
    spaces: SpacesService;
    fanout: Fanout;
    log: Logger;
  }) {
    this.#db = deps.db;
    this.#access = deps.access;
    this.#spaces = deps.spaces;
    this.#fanout = deps.fanout;
    this.#log = deps.log;
  }

  /** The sessions open in these spaces that the person may join (one query for all). */
  async openIn(user: User, spaceIds: readonly string[]): Promise<SessionSummary[]> {
    const grants = await this.#access.check(user, spaceIds);
    const readable = [...grants.values()]
      .filter((g) => g.permissions.includes('read'))
      .map((g) => g.facts.id);
    return (await listSessions(this.#db, { spaces: readable, open: true })).map(toSessionSummary);
  }

  /** The sessions open in every space the person belongs to ("join in one click"). */
  async openOfMine(user: User): Promise<SessionSummary[]> {
    const mine = await this.#spaces.mine(user);
    return this.openIn(
      user,
      mine.map((s) => s.id),
    );
  }

  /** A space's live sessions: the one in progress, the past ones, and whether one may start. */
  async overview(user: User, spaceId: string): Promise<LiveOverview> {
    const grant = await this.#access.require(user, spaceId, 'read');
    const sessions = (await listSessions(this.#db, { spaces: [spaceId], limit: 30 })).map(
      toSessionSummary,
    );
    const open = sessions.find((s) => s.phase !== 'ended') ?? null;
    const present = open
      ? (await listAttendance(this.#db, open.sessionId)).filter((s) => !s.leftAt).length
      : 0;
    const has = (p: Permission) => grant.permissions.includes(p);
    const moderator = has('moderate');
    return {
      open,
      present,
      past: moderator ? sessions.filter((s) => s.phase === 'ended') : [],
      canStart: has('salon') && grant.facts.state === 'active',
      canReplace: has('salon') && (moderator || open?.createdBy === user.id),
      moderator,
    };
  }

  /**
   * Starts a live session (a salon outside classes) in a space. With one
   * already open the answer is that one (`created: false`), unless `replace`
   * names it: it then ends for everyone (its rooms told through the fan-out)
   * and a new one starts. `defaultTitle` words a title none was given.
   */
  async start(
    user: User,
    request: StartSessionRequest,
    defaultTitle: (space: { kind: SpaceKind; name: string }) => string,
  ): Promise<{ session: SessionSummary; created: boolean }> {
    const grant = await this.#access.require(user, request.space, 'read');
    if (grant.facts.state !== 'active')
      throw new PreauError('conflict', 'this space is archived or suspended: no live session');
    if (!grant.permissions.includes('salon'))
      throw new PreauError('forbidden', 'opening a live session here needs the salon permission');
    const open = await this.#openSession(request.space);
    if (open && request.replace === open.id) {
      if (!grant.permissions.includes('moderate') && open.createdBy !== user.id)
        throw new PreauError('forbidden', 'only moderators or who opened it end this session');
      const at = new Date();
      if (await endLiveSession(this.#db, { id: open.id, by: user.id, at })) {
        const notice: LiveSessionEndedNotice = { session: open.id, endedAt: at.toISOString() };
        await this.#fanout.publish(LIVE_SESSION_ENDED_CHANNEL, JSON.stringify(notice));
      }
    }
    const owner = parseSpaceId(request.space);
    const salon = grant.facts.kind !== 'class';
    const { session, created } = await startLiveSession(this.#db, {
      id: newSessionId(),
      space: request.space,
      classId: owner?.kind === 'class' ? owner.ownerId : null,
      title: request.title ?? defaultTitle({ kind: grant.facts.kind, name: grant.facts.name }),
      createdBy: user.id,
      // A salon has no teacher: whoever may present shares their screen.
      ...(salon ? { studentScreenShare: true } : {}),
    });
    if (created) this.#log.info({ spaceId: request.space, sessionId: session.id }, 'live started');
    return { session: toSessionSummary(session), created };
  }

  /** The live room of a session of this space, with its roster and documents beside it. */
  async room(user: User, spaceId: string, sessionId: string): Promise<LiveRoomView> {
    const grant = await this.#access.require(user, spaceId, 'read');
    const session = await this.#sessionOf(spaceId, sessionId);
    const docs = await listDocs(this.#db, spaceId);
    // The roster tells homonyms apart; only the space's members, who see each other anyway.
    const roster = Object.fromEntries(
      (await this.roster(user, spaceId)).map(({ personId, name, tag }) => [
        personId,
        tag ? { name, tag } : { name },
      ]),
    );
    return {
      session: toSessionSummary(session),
      moderator: grant.permissions.includes('moderate'),
      canEdit: grant.permissions.includes('write'),
      roster,
      docs: docs
        .filter((doc) => !doc.archived)
        .map(({ id, kind, title, space, archived }) => ({ id, kind, title, space, archived })),
    };
  }

  /** A session's attendance, every member present or absent: for the space's moderators. */
  async attendance(user: User, spaceId: string, sessionId: string): Promise<AttendanceView> {
    const grant = await this.#access.require(user, spaceId, 'moderate');
    const session = await this.#sessionOf(spaceId, sessionId);
    const roster = (await this.roster(user, spaceId)).map(({ personId, name, role, tag }) => ({
      personId,
      name,
      role,
      ...(tag ? { tag } : {}),
    }));
    const rows = (await listAttendance(this.#db, session.id)).map(toAttendanceRow);
    const former: SpaceRole = grant.facts.kind === 'group' ? 'member' : 'student';
    const sheet = attendanceSheet(roster, rows, session.endedAt ?? new Date(), former);
    return { spaceName: grant.facts.name, session: toSessionSummary(session), sheet };
  }

  /** A session's attendance by the session's id alone (the API). */
  async attendanceOfSession(user: User, sessionId: string): Promise<AttendanceView> {
    const session = await getSession(this.#db, sessionId);
    if (!session) throw new PreauError('not_found', 'no such session');
    return this.attendance(user, session.space, sessionId);
  }

  async #openSession(spaceId: string): Promise<StoredSession | undefined> {
    const [open] = await listSessions(this.#db, { spaces: [spaceId], open: true, limit: 1 });
    return open;
  }

  /** A session of this space; `not_found` if it is another space's. */
  async #sessionOf(spaceId: string, sessionId: string): Promise<StoredSession> {
    const session = await getSession(this.#db, sessionId);
    if (!session || session.space !== spaceId)
      throw new PreauError('not_found', 'no such session in this space');
    return session;
  }

  /** The space's members, each with what tells them apart from a homonym (those who see it). */
  async roster(user: User, spaceId: string): Promise<RosterEntry[]> {
    const members = await this.#spaces.members(user, spaceId);
    const logins = await distinguishersOf(
      this.#db,
      members.map((m) => m.personId),
    );
    const loginOf = (id: string) => logins.get(id)?.login ?? id;
    const tags = tellApart(
      members.map((m) => ({ id: m.personId, name: m.displayName, login: loginOf(m.personId) })),
    );
    return members.map((m) => {
      const tag = tags.get(m.personId);
      return {
        personId: m.personId,
        name: m.displayName,
        role: m.role,
        schoolName: m.schoolName,
        ...(tag ? { tag, login: loginOf(m.personId) } : {}),
      };
    });
  }
}
