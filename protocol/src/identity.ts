import { z } from 'zod';
import { Id, PersonId, SpaceId, Uai } from './ids';
import { SpaceRole } from './spaces';
import { PlatformRole, ProfileKind, Right } from './tokens';

// Wire schemas of identity: the directory as the API shows it, the signed-in
// user, capability token requests and CSV import reports.

/** Kinds of schools (stored without accents: école, collège, lycée). */
export const SchoolKind = z.enum(['ecole', 'college', 'lycee']);
export type SchoolKind = z.infer<typeof SchoolKind>;

/** A school (*établissement*) of the directory. */
export const School = z.object({
  uai: Uai,
  name: z.string().min(1).max(200),
  kind: SchoolKind,
  town: z.string().min(1).max(120),
});
export type School = z.infer<typeof School>;

/** A profile of a person in one school. */
export const Profile = z.object({ uai: Uai, kind: ProfileKind });
export type Profile = z.infer<typeof Profile>;

/** The signed-in user as pages and API see it (`event.locals.user`). */
export const SessionUser = z.object({
  id: PersonId,
  name: z.string(),
  profiles: z.array(Profile),
  roles: z.array(PlatformRole),
});
export type SessionUser = z.infer<typeof SessionUser>;

/** Role of a person in a class. */
export const ClassRole = z.enum(['student', 'teacher']);
export type ClassRole = z.infer<typeof ClassRole>;

/** A class (*division*) of a school. */
export const ClassSummary = z.object({
  id: Id,
  uai: Uai,
  name: z.string(),
  schoolName: z.string(),
});
export type ClassSummary = z.infer<typeof ClassSummary>;

/** A class as one of its members sees it: with their role in it. */
export const MyClass = ClassSummary.extend({ role: ClassRole, space: SpaceId });
export type MyClass = z.infer<typeof MyClass>;

/** A member of a space, with the name resolved at read time. */
export const SpaceMember = z.object({
  personId: PersonId,
  displayName: z.string(),
  role: ClassRole,
});
export type SpaceMember = z.infer<typeof SpaceMember>;

/** A person as the directory's admin pages list them. */
export const DirectoryPerson = z.object({
  id: PersonId,
  login: z.string(),
  displayName: z.string(),
  profiles: z.array(Profile),
  roles: z.array(PlatformRole),
});
export type DirectoryPerson = z.infer<typeof DirectoryPerson>;

/** Audiences a browser may ask a capability token for (the SFU's are minted server-side). */
export const TokenAudience = z.enum(['preau:classroom', 'preau:docs']);
export type TokenAudience = z.infer<typeof TokenAudience>;

/** `POST /api/tokens`: a capability token for one space (and a session or a document in it). */
export const TokenRequest = z.object({
  audience: TokenAudience,
  space: SpaceId,
  session: z.string().min(1).max(64).optional(),
  doc: z.string().min(1).max(64).optional(),
});
export type TokenRequest = z.infer<typeof TokenRequest>;

/** The answer to a token request: the JWT and when it expires (ISO 8601). */
export const TokenResponse = z.object({
  token: z.string(),
  expiresAt: z.string(),
  rights: z.array(Right),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** One rejected line of a directory CSV file. */
export const ImportIssue = z.object({
  line: z.number().int().positive(),
  reason: z.string(),
});
export type ImportIssue = z.infer<typeof ImportIssue>;

/** What an import changed (all zero when the same file is imported again). */
export const ImportChanges = z.object({
  schools: z.number().int().nonnegative(),
  persons: z.number().int().nonnegative(),
  classes: z.number().int().nonnegative(),
  profiles: z.number().int().nonnegative(),
  memberships: z.number().int().nonnegative(),
  roles: z.number().int().nonnegative(),
  /** Teaching groups created. */
  teaching: z.number().int().nonnegative(),
});
export type ImportChanges = z.infer<typeof ImportChanges>;

/** The outcome of a CSV import: applied with its changes, or refused with every bad line. */
export const ImportReport = z.discriminatedUnion('applied', [
  z.object({ applied: z.literal(true), lines: z.number().int(), changes: ImportChanges }),
  z.object({ applied: z.literal(false), lines: z.number().int(), issues: z.array(ImportIssue) }),
]);
export type ImportReport = z.infer<typeof ImportReport>;

/** `POST /api/admin/directory/import`: the CSV text. */
export const ImportRequest = z.object({ csv: z.string().max(5_000_000) });
export type ImportRequest = z.infer<typeof ImportRequest>;

/** `GET /api/admin/directory/persons`: search, school filter, paging. */
export const PersonsQuery = z.object({
  q: z.string().max(100).optional(),
  uai: Uai.optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type PersonsQuery = z.infer<typeof PersonsQuery>;

/** A page of the directory's people. */
export const PersonsPage = z.object({
  total: z.number().int().nonnegative(),
  persons: z.array(DirectoryPerson),
});
export type PersonsPage = z.infer<typeof PersonsPage>;

/** A school with its classes, as the directory admin API lists them. */
export const SchoolWithClasses = School.extend({ classes: z.array(ClassSummary) });
export type SchoolWithClasses = z.infer<typeof SchoolWithClasses>;

/**
 * Fan-out channel on which web announces class membership changes (after
 * they commit), so realtime servers can drop a removed member's connections
 * at once instead of waiting for their token to expire.
 */
export const MEMBERSHIP_CHANNEL = 'preau:membership';

/** One membership change, as published on MEMBERSHIP_CHANNEL (JSON). */
export const MembershipChange = z.object({
  space: SpaceId,
  person: PersonId,
  change: z.enum(['added', 'removed', 'role']),
  role: SpaceRole,
});
export type MembershipChange = z.infer<typeof MembershipChange>;
