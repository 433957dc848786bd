import { z } from 'zod';

/** Opaque identifiers: short, URL-safe, never a name. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'identifier must be URL-safe');
export type Id = z.infer<typeof Id>;

/** A space (class, group or project) identifier, e.g. `class_0350001A_3eB`. */
export const SpaceId = Id;
export type SpaceId = Id;

/** A pseudonymous person identifier, as carried in tokens and traces. */
export const PersonId = Id;
export type PersonId = Id;

/** A French school's UAI code: seven digits and a letter. */
export const Uai = z.string().regex(/^[0-9]{7}[A-Z]$/, 'UAI: seven digits and a capital letter');
export type Uai = z.infer<typeof Uai>;
