import { classSpaceId, type SpaceKind, type SpaceRole } from '@preau/protocol';
import type { Executor } from '../identity/directory';

// What a person's self-export says of their spaces: where they belong (and
// since when), the invitations they sent and received, the reports they
// filed. Names of spaces and schools are read now, as the export is made.

/** One space a person belongs to, as their own data lists it. */
export interface OwnSpace {
  id: string;
  name: string;
  kind: SpaceKind;
  /** Their role there (a class's: student or teacher). */
  role: SpaceRole;
  /** Since when (null for a class: the directory keeps no date). */
  since: string | null;
  /** The school, for a space of one school. */
  school: string | null;
  /** The project a work group was made in. */
  projectId: string | null;
  /** The class that brought them in, when they are there through it. */
  through: string | null;
  state: 'active' | 'archived' | 'suspended';
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const stateOf = (r: { archived_at: Date | null; suspended_at: Date | null }) =>
  r.suspended_at ? 'suspended' : r.archived_at ? 'archived' : 'active';

/** Every space a person belongs to: classes, their own memberships, and through a class. */
export async function ownSpaces(db: Executor, person: string): Promise<OwnSpace[]> {
  const spaceColumns = [
    'space.id',
    'space.name',
    'space.kind',
    'space.project_id',
    'space.archived_at',
    'space.suspended_at',
    'school.name as schoolName',
  ] as const;
  const [classes, own, brought] = await Promise.all([
    db
      .selectFrom('class_member')
      .innerJoin('class', 'class.id', 'class_member.class_id')
      .innerJoin('school', 'school.uai', 'class.uai')
      .select(['class.id', 'class.name', 'class_member.role', 'school.name as schoolName'])
      .where('class_member.person_id', '=', person)
      .execute(),
    db
      .selectFrom('space_member')
      .innerJoin('space', 'space.id', 'space_member.space_id')
      .leftJoin('school', 'school.uai', 'space.uai')
      .select([...spaceColumns, 'space_member.role', 'space_member.added_at'])
      .where('space_member.person_id', '=', person)
      .execute(),
    db
      .selectFrom('class_member')
      .innerJoin('space_class', 'space_class.class_id', 'class_member.class_id')
      .innerJoin('class', 'class.id', 'class_member.class_id')
      .innerJoin('space', 'space.id', 'space_class.space_id')
      .leftJoin('school', 'school.uai', 'space.uai')
      .select([
        ...spaceColumns,
        'class_member.role',
        'space_class.added_at',
        'class.name as className',
      ])
      .where('class_member.person_id', '=', person)
      .execute(),
  ]);
  const out: OwnSpace[] = classes.map((c) => ({
    id: classSpaceId(c.id),
    name: c.name,
    kind: 'class',
    role: c.role,
    since: null,
    school: c.schoolName,
    projectId: null,
    through: null,
    state: 'active',
  }));
  const seen = new Set<string>();
  for (const r of own) {
    seen.add(r.id);
    out.push({
      id: r.id,
      name: r.name,
      kind: r.kind,
      role: r.role,
      since: iso(r.added_at),
      school: r.schoolName,
      projectId: r.project_id,
      through: null,
      state: stateOf(r),
    });
  }
  for (const r of brought) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push({
      id: r.id,
      name: r.name,
      kind: r.kind,
      role: r.role,
      since: iso(r.added_at),
      school: r.schoolName,
      projectId: r.project_id,
      through: r.className,
      state: stateOf(r),
    });
  }
  return out;
}

/** One invitation as the person's own data lists it. */
export interface OwnInvitation {
  id: string;
  space: string;
  spaceName: string;
  /** Who invited (for one received) or who was invited (for one sent). */
  person: string;
  sentAt: string;
  answer: 'accepted' | 'declined' | 'withdrawn' | null;
  answeredAt: string | null;
}

/** Invitations a person sent and received, oldest first. */
export async function ownInvitations(
  db: Executor,
  person: string,
): Promise<{ sent: OwnInvitation[]; received: OwnInvitation[] }> {
  const rows = await db
    .selectFrom('space_invitation')
    .innerJoin('space', 'space.id', 'space_invitation.space_id')
    .select([
      'space_invitation.id',
      'space_invitation.space_id',
      'space.name',
      'space_invitation.person_id',
      'space_invitation.invited_by',
      'space_invitation.created_at',
      'space_invitation.answer',
      'space_invitation.answered_at',
    ])
    .where((eb) =>
      eb.or([
        eb('space_invitation.person_id', '=', person),
        eb('space_invitation.invited_by', '=', person),
      ]),
    )
    .orderBy('space_invitation.created_at')
    .orderBy('space_invitation.id')
    .execute();
  const view = (r: (typeof rows)[number], other: string): OwnInvitation => ({
    id: r.id,
    space: r.space_id,
    spaceName: r.name,
    person: other,
    sentAt: new Date(r.created_at).toISOString(),
    answer: r.answer,
    answeredAt: iso(r.answered_at),
  });
  return {
    sent: rows.filter((r) => r.invited_by === person).map((r) => view(r, r.person_id)),
    received: rows.filter((r) => r.person_id === person).map((r) => view(r, r.invited_by)),
  };
}

/**
 * Reports a person filed: what, where, why and when. The copy of the
 * reported content is left out: it is someone else's words, kept for staff.
 */
export async function ownReports(db: Executor, person: string) {
  const rows = await db
    .selectFrom('space_report')
    .select(['id', 'space_id', 'target_kind', 'target_id', 'reason', 'created_at', 'handled_at'])
    .where('reporter', '=', person)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    space: r.space_id,
    target: { kind: r.target_kind, id: r.target_id },
    reason: r.reason,
    filedAt: new Date(r.created_at).toISOString(),
    handledAt: iso(r.handled_at),
  }));
}
