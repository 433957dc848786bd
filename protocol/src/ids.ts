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

/**
 * The id a page gives a chat message before sending it (a UUID or a
 * nanoid-like string): a message sent again with the same id, after a lost
 * acknowledgement, is stored once and answered with the stored message.
 */
export const ClientMessageId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'client id must be URL-safe');
export type ClientMessageId = z.infer<typeof ClientMessageId>;
