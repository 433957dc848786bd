import type { SessionUser, UnreadCounts } from '@preau/protocol';
import { type Schema, unreadCounts } from '@preau/storage';
import type { Kysely } from 'kysely';
import type { SpaceAccess } from './access';

type User = Pick<SessionUser, 'id' | 'profiles' | 'roles'>;

/**
 * What pages need of spaces' chats beyond the realtime server: unread
 * counts (the chat itself runs on the classroom server's /space-chat
 * namespace, which verifies the capability tokens SpaceAccess grants).
 */
export class ChatService {
  readonly #db: Kysely<Schema>;
  readonly #access: SpaceAccess;

  constructor(deps: { db: Kysely<Schema>; access: SpaceAccess }) {
    this.#db = deps.db;
    this.#access = deps.access;
  }

  /**
   * Messages others wrote since the person last read each space's chat, for
   * the spaces among `spaceIds` whose content they may read (the others are
   * left out); a space with nothing new counts 0. One access check, one query.
   */
  async unread(user: User, spaceIds: readonly string[]): Promise<UnreadCounts> {
    const grants = await this.#access.check(user, spaceIds);
    const readable = [...grants.values()]
      .filter((g) => g.permissions.includes('read'))
      .map((g) => g.facts.id);
    const counts = await unreadCounts(this.#db, user.id, readable);
    return Object.fromEntries(readable.map((id) => [id, counts.get(id) ?? 0]));
  }
}
