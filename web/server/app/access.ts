import {
  type Permission,
  PreauError,
  type Right,
  Right as RightSchema,
  type SchoolSettings,
  type SessionUser,
} from '@preau/protocol';
import { type Schema, type SpaceFacts, schoolSettings, spaceFacts } from '@preau/storage';
import type { Kysely } from 'kysely';
import { permissionsOf } from './policy';

/** A space as one person may reach it: its facts and their permissions. */
export interface SpaceGrant {
  facts: SpaceFacts;
  permissions: Permission[];
}

type Viewer = Pick<SessionUser, 'id' | 'profiles' | 'roles'>;

/**
 * The one place that answers "may this person do that in these spaces",
 * batched over ids (a page listing twenty spaces asks once). Pages, API
 * routes and token minting all go through it.
 */
export class SpaceAccess {
  readonly #db: Kysely<Schema>;

  constructor(db: Kysely<Schema>) {
    this.#db = db;
  }

  /** Grants for each known space of `spaceIds` (unknown ids are absent). */
  async check(user: Viewer, spaceIds: readonly string[]): Promise<Map<string, SpaceGrant>> {
    const facts = await spaceFacts(this.#db, user.id, spaceIds);
    const settings = new Map<string, SchoolSettings>();
    for (const f of facts.values())
      if (f.kind === 'group' && f.uai && !settings.has(f.uai))
        settings.set(f.uai, await schoolSettings(this.#db, f.uai));
    const grants = new Map<string, SpaceGrant>();
    for (const [id, f] of facts)
      grants.set(id, {
        facts: f,
        permissions: permissionsOf(f, user, f.uai ? (settings.get(f.uai) ?? null) : null),
      });
    return grants;
  }

  /**
   * The grant for one space, holding `permission`; otherwise a typed error:
   * `not_found` when the space is unknown or the person may not even know of
   * it (a group or project is not revealed to outsiders), `forbidden` when
   * they see it but may not do this (a class stays `forbidden` to others, as
   * the directory names it anyway).
   */
  async require(user: Viewer, spaceId: string, permission: Permission): Promise<SpaceGrant> {
    const grant = (await this.check(user, [spaceId])).get(spaceId);
    if (!grant) throw new PreauError('not_found', 'unknown space');
    if (!grant.permissions.includes('see') && grant.facts.kind !== 'class')
      throw new PreauError('not_found', 'unknown space');
    if (!grant.permissions.includes(permission))
      throw new PreauError('forbidden', `this needs the ${permission} permission in this space`);
    return grant;
  }

  /** The rights a capability token carries for the realtime servers (none: not a member). */
  async rights(user: Viewer, spaceId: string): Promise<Right[]> {
    const grant = (await this.check(user, [spaceId])).get(spaceId);
    if (!grant) return [];
    return grant.permissions.filter((p): p is Right => RightSchema.safeParse(p).success);
  }
}
