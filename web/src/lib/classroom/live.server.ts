import {
  type AttendanceRow,
  classSpaceId,
  LeaveReason,
  LIVE_SESSION_ENDED_CHANNEL,
  type LiveSessionEndedNotice,
  PreauError,
  type Right,
  type SessionSummary,
  type SessionUser,
} from '@preau/protocol';
import {
  classById,
  classRoster,
  endLiveSession,
  getSession,
  listAttendance,
  openSessionOfSpace,
  type StoredSession,
  type StoredStay,
  startLiveSession,
} from '@preau/storage';

import { translator } from '#lib/i18n';
import { type ShownName, tellApart } from './names';
import { newSessionId } from './pages.server';

type Db = App.Locals['services']['database']['db'];
type Services = App.Locals['services'];

/** A stored session as the pages and the API show it. */
export function toSummary(s: StoredSession): SessionSummary {
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

/** A person's place in a class: their rights and the class's name; `forbidden` if none. */
export async function classAccess(
  services: Services,
  user: SessionUser,
  classId: string,
): Promise<{ space: string; rights: Right[]; moderator: boolean; className: string }> {
  const klass = await classById(services.database.db, classId);
  if (!klass) throw new PreauError('not_found', 'no such class');
  const space = classSpaceId(klass.id);
  const rights = await services.access.rights(user, space);
  if (!rights.includes('read')) throw new PreauError('forbidden', 'not a member of this class');
  return { space, rights, moderator: rights.includes('moderate'), className: klass.name };
}

/** A session of a class the person belongs to; `not_found` if it is not this class's. */
export async function sessionOfClass(
  db: Db,
  classId: string,
  sessionId: string,
): Promise<StoredSession> {
  const session = await getSession(db, sessionId);
  if (!session || session.space !== classSpaceId(classId)) {
    throw new PreauError('not_found', 'no such session in this class');
  }
  return session;
}

/** Attendance of a session, for its class's teachers. */
export async function attendanceOf(db: Db, sessionId: string): Promise<AttendanceRow[]> {
  return (await listAttendance(db, sessionId)).map(toAttendanceRow);
}

/** One member of the class with the name the live pages show (homonyms tagged). */
export interface RosterEntry extends ShownName {
  personId: string;
  role: 'student' | 'teacher';
}

/** The class's members, each with what tells them apart from a homonym. */
export async function rosterOf(db: Db, classId: string): Promise<RosterEntry[]> {
  const members = await classRoster(db, classId);
  const tags = tellApart(members.map((m) => ({ id: m.personId, name: m.name, login: m.login })));
  return members.map((m) => {
    const tag = tags.get(m.personId);
    return { personId: m.personId, name: m.name, role: m.role, ...(tag ? { tag } : {}) };
  });
}

/**
 * A teacher starts a live session for their class. With one already open the
 * answer is that one (`created: false`), unless `replace` names it: it then
 * ends for everyone (its rooms told through the fan-out) and a new one starts.
 */
export async function startSession(
  services: Services,
  user: SessionUser,
  locale: App.Locals['locale'],
  request: { classId: string; title?: string | undefined; replace?: string | undefined },
): Promise<{ session: StoredSession; created: boolean }> {
  const db = services.database.db;
  const access = await classAccess(services, user, request.classId);
  if (!access.moderator) throw new PreauError('forbidden', 'teachers only');
  const open = await openSessionOfSpace(db, access.space);
  if (open && request.replace === open.id) {
    const at = new Date();
    if (await endLiveSession(db, { id: open.id, by: user.id, at })) {
      const notice: LiveSessionEndedNotice = { session: open.id, endedAt: at.toISOString() };
      await services.fanout.publish(LIVE_SESSION_ENDED_CHANNEL, JSON.stringify(notice));
    }
  }
  return startLiveSession(db, {
    id: newSessionId(),
    space: access.space,
    classId: request.classId,
    title: request.title ?? translator(locale)('live.defaultTitle', { name: access.className }),
    createdBy: user.id,
  });
}
