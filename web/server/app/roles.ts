import { type PlatformRole, PreauError, type SessionUser } from '@preau/protocol';

/** Who calls a service: the signed-in person, or nobody. */
export type Caller = SessionUser | null | undefined;

/** The signed-in caller, or a typed `unauthenticated` error. */
export function requireSignedIn(user: Caller): SessionUser {
  if (!user) throw new PreauError('unauthenticated', 'sign in first');
  return user;
}

/** The signed-in caller holding one of `roles` (platform roles), or `forbidden`. */
export function requirePlatformRole(user: Caller, ...roles: PlatformRole[]): SessionUser {
  const signedIn = requireSignedIn(user);
  if (!roles.some((r) => signedIn.roles.includes(r)))
    throw new PreauError('forbidden', 'this needs another role');
  return signedIn;
}
