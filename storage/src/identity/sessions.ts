import { createHash, randomBytes } from 'node:crypto';
import type { PlatformRole, Profile, SessionUser } from '@preau/protocol';
import type { Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Schema } from '../db/schema';
import { displayName } from './directory';

/** The SHA-256 of a session secret: the table never holds the cookie's value. */
function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** A web session as the server sees it. */
export interface WebSession {
  personId: string;
  csrf: string;
  idToken: string | null;
  expiresAt: Date;
}

/** Opens a session; returns the secret for the cookie (shown once) and the CSRF token. */
export async function createWebSession(
  db: Kysely<Schema>,
  opts: { personId: string; idToken: string | null; ttlSeconds: number },
): Promise<{ secret: string; csrf: string; expiresAt: Date }> {
  const secret = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + opts.ttlSeconds * 1000);
  await db.deleteFrom('web_session').where('expires_at', '<', new Date()).execute();
  await db
    .insertInto('web_session')
    .values({
      id_hash: hashOf(secret),
      person_id: opts.personId,
      csrf,
      id_token: opts.idToken,
      expires_at: expiresAt,
    })
    .execute();
  return { secret, csrf, expiresAt };
}

/** The live session a cookie names, or null (unknown or expired). */
export async function findWebSession(
  db: Kysely<Schema>,
  secret: string,
): Promise<WebSession | null> {
  const row = await db
    .selectFrom('web_session')
    .selectAll()
    .where('id_hash', '=', hashOf(secret))
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return row
    ? { personId: row.person_id, csrf: row.csrf, idToken: row.id_token, expiresAt: row.expires_at }
    : null;
}

/**
 * The live session a cookie names with its person as the directory describes
 * them now (name, profiles, roles), in one statement: every request that
 * carries a cookie asks this. Null when the session is unknown or expired,
 * or its person is gone.
 */
export async function findSessionUser(
  db: Kysely<Schema>,
  secret: string,
): Promise<{ user: SessionUser; csrf: string; expiresAt: Date } | null> {
  const row = await db
    .selectFrom('web_session as ws')
    .innerJoin('person as p', 'p.id', 'ws.person_id')
    .select((eb) => [
      'ws.csrf',
      'ws.expires_at',
      'p.id',
      'p.given_name',
      'p.family_name',
      jsonArrayFrom(
        eb
          .selectFrom('profile')
          .select(['profile.uai', 'profile.kind'])
          .whereRef('profile.person_id', '=', 'p.id')
          .orderBy('profile.uai')
          .orderBy('profile.kind'),
      ).as('profiles'),
      jsonArrayFrom(
        eb
          .selectFrom('platform_role')
          .select('platform_role.role')
          .whereRef('platform_role.person_id', '=', 'p.id')
          .orderBy('platform_role.role'),
      ).as('roles'),
    ])
    .where('ws.id_hash', '=', hashOf(secret))
    .where('ws.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!row) return null;
  return {
    user: {
      id: row.id,
      name: displayName(row),
      profiles: row.profiles as Profile[],
      roles: row.roles.map((r) => r.role as PlatformRole),
    },
    csrf: row.csrf,
    expiresAt: row.expires_at,
  };
}

/** Ends a session; returns it (for the provider's logout hint) or null. */
export async function deleteWebSession(
  db: Kysely<Schema>,
  secret: string,
): Promise<WebSession | null> {
  const row = await db
    .deleteFrom('web_session')
    .where('id_hash', '=', hashOf(secret))
    .returningAll()
    .executeTakeFirst();
  return row
    ? { personId: row.person_id, csrf: row.csrf, idToken: row.id_token, expiresAt: row.expires_at }
    : null;
}

/** A sign-in in progress: kept from the redirect to the provider until its callback. */
export interface LoginAttempt {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/** Remembers a sign-in in progress for `ttlSeconds`. */
export async function saveLoginAttempt(
  db: Kysely<Schema>,
  attempt: LoginAttempt,
  ttlSeconds = 600,
): Promise<void> {
  await db.deleteFrom('login_attempt').where('expires_at', '<', new Date()).execute();
  await db
    .insertInto('login_attempt')
    .values({
      state: attempt.state,
      nonce: attempt.nonce,
      code_verifier: attempt.codeVerifier,
      return_to: attempt.returnTo,
      expires_at: new Date(Date.now() + ttlSeconds * 1000),
    })
    .execute();
}

/** Takes (and forgets) the sign-in in progress with this state: usable once. */
export async function takeLoginAttempt(
  db: Kysely<Schema>,
  state: string,
): Promise<LoginAttempt | null> {
  const row = await db
    .deleteFrom('login_attempt')
    .where('state', '=', state)
    .where('expires_at', '>', new Date())
    .returningAll()
    .executeTakeFirst();
  return row
    ? {
        state: row.state,
        nonce: row.nonce,
        codeVerifier: row.code_verifier,
        returnTo: row.return_to,
      }
    : null;
}
