import { z } from 'zod';
import { Id, PersonId, SpaceId, Uai } from './ids';

/**
 * Kinds of spaces. A space is what a class or group owns: chat, pads,
 * boards, a live room ("salon"), files; its id is the kind's prefix and the
 * owner's id. A class is the directory's *division*; a teaching group
 * gathers students of several classes around one teacher (the lycée's
 * specialities); a work group is made by a student or a teacher; a project
 * joins teachers and students of several schools.
 */
export const SpaceKind = z.enum(['class', 'teaching', 'group', 'project']);
export type SpaceKind = z.infer<typeof SpaceKind>;

/** The space of a class (a school's *division*). */
export function classSpaceId(classId: string): string {
  return `class_${classId}`;
}

/** The kind and owner id of a space id, or null when it is not one. */
export function parseSpaceId(spaceId: string): { kind: SpaceKind; ownerId: string } | null {
  const match = /^(class|teaching|group|project)_(.+)$/.exec(spaceId);
  return match ? { kind: match[1] as SpaceKind, ownerId: match[2]! } : null;
}

/**
 * What a person may do in a space: the one list every edge checks against
 * (pages, API, tokens for the realtime servers).
 * - `see`: know the space exists, its name and members (staff oversight too);
 * - `read`: its content (chat, documents, files, sessions);
 * - `write`: chat, edit documents, upload files;
 * - `moderate`: moderate its live sessions and chat, restore documents;
 * - `present`: share a screen in a live session;
 * - `salon`: open the live room when nobody has;
 * - `invite`: invite people (a group's owners, a project's teachers);
 * - `manage`: rename, change roles, remove members, archive;
 * - `own`: hand over ownership;
 * - `suspend`: suspend or lift a suspension (the school's staff);
 * - `report`: report a message or a document to the school's staff.
 */
export const Permission = z.enum([
  'see',
  'read',
  'write',
  'moderate',
  'present',
  'salon',
  'invite',
  'manage',
  'own',
  'suspend',
  'report',
]);
export type Permission = z.infer<typeof Permission>;

/**
 * A member's role in a space. Classes and teaching groups have teachers and
 * students; work groups an owner, co-owners and members; projects their
 * teachers (the one who opened it is its owner), students and guests.
 */
export const SpaceRole = z.enum(['owner', 'coowner', 'member', 'teacher', 'student', 'guest']);
export type SpaceRole = z.infer<typeof SpaceRole>;

/** Longest name of a space. */
export const SPACE_NAME_MAX = 80;

/** A space's name: trimmed, one to SPACE_NAME_MAX characters. */
export const SpaceName = z.string().trim().min(1).max(SPACE_NAME_MAX);

/** State of a space: active, read-only after its owner archived it, or suspended by staff. */
export const SpaceState = z.enum(['active', 'archived', 'suspended']);
export type SpaceState = z.infer<typeof SpaceState>;

/** A space as its members (and the school's staff) see it. */
export const SpaceSummary = z.object({
  id: SpaceId,
  kind: SpaceKind,
  name: z.string(),
  /** The school; null for a project, which spans schools. */
  uai: Uai.nullable(),
  schoolName: z.string().nullable(),
  /** The project a work group was made in, if any. */
  projectId: SpaceId.nullable(),
  state: SpaceState,
  createdBy: PersonId.nullable(),
  createdAt: z.string(),
});
export type SpaceSummary = z.infer<typeof SpaceSummary>;

/** A space as one person sees it: with their role and what they may do. */
export const MySpace = SpaceSummary.extend({
  role: SpaceRole.nullable(),
  permissions: z.array(Permission),
});
export type MySpace = z.infer<typeof MySpace>;

/** A member of a space as its pages list them: name resolved now, school, role. */
export const SpaceMemberView = z.object({
  personId: PersonId,
  displayName: z.string(),
  role: SpaceRole,
  /** The member's school, shown in projects that span several. */
  schoolName: z.string().nullable(),
});
export type SpaceMemberView = z.infer<typeof SpaceMemberView>;

/** `POST /api/spaces`: a work group (in a school, or inside a project) or a project. */
export const CreateSpaceRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('group'), name: SpaceName, projectId: SpaceId.optional() }),
  z.object({ kind: z.literal('project'), name: SpaceName }),
  z.object({ kind: z.literal('teaching'), name: SpaceName, uai: Uai }),
]);
export type CreateSpaceRequest = z.infer<typeof CreateSpaceRequest>;

/** `POST /api/spaces/{id}/invitations`: whom to invite (at most 50 at once). */
export const InviteRequest = z.object({ personIds: z.array(PersonId).min(1).max(50) });
export type InviteRequest = z.infer<typeof InviteRequest>;

/** An invitation as the invited person and the space's owners see it. */
export const Invitation = z.object({
  id: Id,
  spaceId: SpaceId,
  spaceName: z.string(),
  spaceKind: SpaceKind,
  personId: PersonId,
  personName: z.string(),
  invitedBy: PersonId,
  invitedByName: z.string(),
  createdAt: z.string(),
});
export type Invitation = z.infer<typeof Invitation>;

/** `POST /api/invitations/{id}`: accept or decline, in one click. */
export const AnswerInvitationRequest = z.object({ accept: z.boolean() });
export type AnswerInvitationRequest = z.infer<typeof AnswerInvitationRequest>;

/** `PATCH /api/spaces/{id}/members/{personId}`: a new role (owner hands over ownership). */
export const MemberRoleRequest = z.object({ role: z.enum(['owner', 'coowner', 'member']) });
export type MemberRoleRequest = z.infer<typeof MemberRoleRequest>;

/** `POST /api/spaces/{id}/state`: archive, suspend or reactivate a space. */
export const SpaceStateRequest = z.object({
  state: SpaceState,
  reason: z.string().trim().max(500).optional(),
});
export type SpaceStateRequest = z.infer<typeof SpaceStateRequest>;

/** Someone who may be invited, as the invitation search shows them. */
export const Invitee = z.object({
  personId: PersonId,
  displayName: z.string(),
  schoolName: z.string().nullable(),
  /** Why they are offered: same class, same school, shared project. */
  reason: z.enum(['class', 'school', 'project']),
  kind: z.enum(['student', 'teacher']),
});
export type Invitee = z.infer<typeof Invitee>;

/** `GET /api/spaces/{id}/invitees?q=`: a name to search (two letters at least). */
export const InviteeQuery = z.object({ q: z.string().trim().min(2).max(100) });
export type InviteeQuery = z.infer<typeof InviteeQuery>;

/** Bounds a school sets on its students' work groups; defaults are sane for a collège. */
export const SchoolSettings = z.object({
  /** Whether students may create work groups at all. */
  studentsCreateGroups: z.boolean(),
  /** Members of one work group, its owner included. */
  maxGroupMembers: z.number().int().min(2).max(500),
  /** Active work groups a student may own or belong to. */
  maxGroupsPerStudent: z.number().int().min(1).max(200),
  /** Whether members of a student work group may open its salon without a teacher. */
  studentSalons: z.boolean(),
});
export type SchoolSettings = z.infer<typeof SchoolSettings>;

/** The settings of a school that never set any. */
export const DEFAULT_SCHOOL_SETTINGS: SchoolSettings = Object.freeze({
  studentsCreateGroups: true,
  maxGroupMembers: 30,
  maxGroupsPerStudent: 10,
  studentSalons: true,
});

/** Fan-out channel of notifications to one person (invitations, answers): JSON `Notification`. */
export const NOTIFY_CHANNEL = 'preau:notify';

/** A notification pushed to a person's open pages. */
export const Notification = z.discriminatedUnion('type', [
  z.object({ type: z.literal('invitation'), to: PersonId, invitation: Invitation }),
  z.object({
    type: z.literal('invitation.answered'),
    to: PersonId,
    invitationId: Id,
    spaceId: SpaceId,
    spaceName: z.string(),
    personName: z.string(),
    accepted: z.boolean(),
  }),
  z.object({ type: z.literal('invitation.withdrawn'), to: PersonId, invitationId: Id }),
  z.object({
    type: z.literal('membership'),
    to: PersonId,
    spaceId: SpaceId,
    spaceName: z.string(),
    change: z.enum(['added', 'removed', 'role', 'state']),
  }),
  /** Someone named this person with "@" in a space's chat. */
  z.object({
    type: z.literal('mention'),
    to: PersonId,
    spaceId: SpaceId,
    spaceName: z.string(),
    messageId: Id,
    authorName: z.string(),
    /** The beginning of the message. */
    excerpt: z.string().max(200),
  }),
  /** A member reported a message, a document or a file to this school's staff. */
  z.object({
    type: z.literal('report'),
    to: PersonId,
    reportId: Id,
    spaceId: SpaceId,
    spaceName: z.string(),
    targetKind: z.enum(['message', 'doc', 'file']),
  }),
]);
export type Notification = z.infer<typeof Notification>;
