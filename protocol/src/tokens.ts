import { z } from 'zod';
import { PersonId, SpaceId, Uai } from './ids';

/** Profiles a person holds in a school. */
export const ProfileKind = z.enum(['student', 'teacher', 'staff', 'parent', 'guest']);
export type ProfileKind = z.infer<typeof ProfileKind>;

/** Platform-wide roles, independent of schools. */
export const PlatformRole = z.enum(['archivist', 'dpo', 'admin']);
export type PlatformRole = z.infer<typeof PlatformRole>;

/** Rights a capability token may grant within one space. */
export const Right = z.enum(['read', 'write', 'moderate', 'present']);
export type Right = z.infer<typeof Right>;

/** Audiences: each realtime server accepts only tokens minted for it. */
export const Audience = z.enum(['preau:classroom', 'preau:docs', 'preau:sfu']);
export type Audience = z.infer<typeof Audience>;

/** A profile as carried in a token: the school and the kind, nothing more. */
export const TokenProfile = z.object({ uai: Uai, kind: ProfileKind });
export type TokenProfile = z.infer<typeof TokenProfile>;

/**
 * Claims of a capability token. `sub` is pseudonymous; `name` is the display
 * name shown to other participants of the same space (minimisation: no email,
 * no birth date).
 */
export const CapabilityClaims = z.object({
  sub: PersonId,
  name: z.string().min(1).max(120),
  profiles: z.array(TokenProfile).max(20),
  space: SpaceId,
  rights: z.array(Right).max(8),
  /** For a live session: which one; documents name it `doc`. */
  session: z.string().max(64).optional(),
  doc: z.string().max(64).optional(),
});
export type CapabilityClaims = z.infer<typeof CapabilityClaims>;
