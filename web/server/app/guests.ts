import { createHash, randomBytes } from 'node:crypto';
import {
  type CreateGuestRequest,
  GUEST_MAX_DAYS,
  type GuestCreated,
  PreauError,
  type SessionUser,
} from '@preau/protocol';
import type { Logger } from '@preau/protocol/server';
import {
  displayName,
  guestByLinkHash,
  insertGuest,
  newPersonId,
  recordTrace,
  type Schema,
} from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess } from './access';

type User = Pick<SessionUser, 'id' | 'name' | 'profiles' | 'roles'>;

const DAY_MS = 86_400_000;

/** Opens a web session for a person until a time at most (the identity service does it). */
type OpenSession = (
  personId: string,
  until: Date,
) => Promise<{ secret: string; csrf: string; expiresAt: Date }>;

/** The SHA-256 of a personal link's secret: only the hash is kept. */
function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/**
 * Guests of a project: outside contributors (an artist, a scientist) with
 * no ENT account, whom a project teacher lets in until a date through a
 * personal sign-in link. A guest is a member of that one project only.
 */
export class GuestsService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;
  readonly #openSession: OpenSession;
  readonly #log: Logger;

  constructor(deps: {
    db: Kysely<Schema>;
    access: SpaceAccess;
    openSession: OpenSession;
    log: Logger;
  }) {
    this.#db = deps.db;
    this.#access = deps.access;
    this.#openSession = deps.openSession;
    this.#log = deps.log;
  }

  /**
   * A project teacher creates a guest until the end of a day within a year;
   * the personal link is returned once, only its hash is stored.
   */
  async create(user: User, spaceId: string, input: CreateGuestRequest): Promise<GuestCreated> {
    const grant = await this.#access.require(user, spaceId, 'invite');
    if (grant.facts.kind !== 'project')
      throw new PreauError('bad_request', 'guests are brought into projects only');
    const uai = user.profiles.find((p) => p.kind === 'teacher')?.uai;
    if (!uai) throw new PreauError('forbidden', 'a project teacher brings guests');
    // The end of the chosen day, Paris time or near enough: 23:59 UTC.
    const expiresAt = new Date(`${input.until}T23:59:59Z`);
    const now = Date.now();
    if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now)
      throw new PreauError('bad_request', 'the end date is in the past', [
        { path: 'until', message: 'past' },
      ]);
    if (expiresAt.getTime() > now + GUEST_MAX_DAYS * DAY_MS)
      throw new PreauError('bad_request', 'a guest comes for a year at most', [
        { path: 'until', message: 'too far' },
      ]);
    const secret = randomBytes(24).toString('base64url');
    const personId = newPersonId();
    await this.#db.transaction().execute(async (tx) => {
      await insertGuest(tx, {
        personId,
        login: `invite.${randomBytes(9).toString('base64url')}`,
        givenName: input.givenName,
        familyName: input.familyName,
        uai,
        spaceId,
        linkHash: hashOf(secret),
        createdBy: user.id,
        expiresAt,
      });
      await recordTrace(tx, {
        actor: user.id,
        kind: 'guest.created',
        space: spaceId,
        subject: personId,
        payload: { person: personId, until: expiresAt.toISOString() },
      });
    });
    this.#log.info({ spaceId, person: personId }, 'guest created');
    return {
      personId,
      displayName: displayName({ given_name: input.givenName, family_name: input.familyName }),
      link: `/invite/${secret}`,
      expiresAt: expiresAt.toISOString(),
    };
  }

  /** What a personal link leads to, without using it: valid, expired or unknown. */
  async check(secret: string): Promise<'valid' | 'expired' | 'unknown'> {
    const guest = await guestByLinkHash(this.#db, hashOf(secret));
    if (!guest) return 'unknown';
    return guest.expiresAt.getTime() > Date.now() ? 'valid' : 'expired';
  }

  /** Opens a web session for the guest a link names, ending with their access at most. */
  async signIn(
    secret: string,
  ): Promise<{ secret: string; csrf: string; expiresAt: Date; spaceId: string }> {
    const guest = await guestByLinkHash(this.#db, hashOf(secret));
    if (!guest) throw new PreauError('not_found', 'unknown link');
    if (guest.expiresAt.getTime() <= Date.now())
      throw new PreauError('session_ended', 'this guest’s access has ended');
    const session = await this.#openSession(guest.personId, guest.expiresAt);
    return { ...session, spaceId: guest.spaceId };
  }
}
