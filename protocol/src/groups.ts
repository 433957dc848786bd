import { z } from 'zod';
import { Id } from './ids';
import { MySpace } from './spaces';

/** `POST /api/spaces/{id}/classes`: a class the teacher teaches, brought into a project or teaching group. */
export const AddClassRequest = z.object({ classId: Id });
export type AddClassRequest = z.infer<typeof AddClassRequest>;

/** A class brought into a project or teaching group. */
export const SpaceClassView = z.object({
  classId: Id,
  name: z.string(),
  schoolName: z.string(),
  addedBy: Id,
});
export type SpaceClassView = z.infer<typeof SpaceClassView>;

/** Longest given or family name of a guest. */
export const GUEST_NAME_MAX = 80;

/** Longest a guest's access lasts, in days. */
export const GUEST_MAX_DAYS = 366;

/** `POST /api/spaces/{id}/guests`: an outside contributor of a project, until a date (YYYY-MM-DD). */
export const CreateGuestRequest = z.object({
  givenName: z.string().trim().min(1).max(GUEST_NAME_MAX),
  familyName: z.string().trim().min(1).max(GUEST_NAME_MAX),
  until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD'),
});
export type CreateGuestRequest = z.infer<typeof CreateGuestRequest>;

/** A guest just created: the personal sign-in path is shown once and never stored in clear. */
export const GuestCreated = z.object({
  personId: Id,
  displayName: z.string(),
  /** `/invite/<secret>`, to prefix with the site's address. */
  link: z.string(),
  expiresAt: z.string(),
});
export type GuestCreated = z.infer<typeof GuestCreated>;

/** A school's group as its staff oversee it: no content, who leads it and how many belong. */
export const OverseenSpace = MySpace.extend({
  ownerName: z.string().nullable(),
  memberCount: z.number().int(),
});
export type OverseenSpace = z.infer<typeof OverseenSpace>;

/** A class a teacher may bring into a project or teaching group. */
export const BringableClass = z.object({ classId: Id, name: z.string(), schoolName: z.string() });
export type BringableClass = z.infer<typeof BringableClass>;
