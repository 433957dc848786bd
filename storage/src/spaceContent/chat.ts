import { sql } from 'kysely';
import { type StoredChatMessage, toStored } from '../classroom/chat';
import type { Executor } from '../identity/directory';

/** A page of a space's chat: newest last; `before` pages back from the oldest shown. */
export async function spaceMessages(
  db: Executor,
  spaceId: string,
  opts: { limit: number; before?: { sentAt: Date; id: string } },
): Promise<StoredChatMessage[]> {
  let query = db
    .selectFrom('live_chat_message')
    .selectAll()
    .where('space_id', '=', spaceId)
    .where('deleted_at', 'is', null)
    .where('erased_at', 'is', null);
  const before = opts.before;
  if (before)
    query = query.where((eb) =>
      eb.or([
        eb('sent_at', '<', before.sentAt),
        eb.and([eb('sent_at', '=', before.sentAt), eb('id', '<', before.id)]),
      ]),
    );
  const rows = await query
    .orderBy('sent_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
  return rows.reverse().map(toStored);
}

/** One visible message of a space, or null. */
export async function findSpaceMessage(
  db: Executor,
  spaceId: string,
  messageId: string,
): Promise<StoredChatMessage | null> {
  const row = await db
    .selectFrom('live_chat_message')
    .selectAll()
    .where('space_id', '=', spaceId)
    .where('id', '=', messageId)
    .where('deleted_at', 'is', null)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  return row ? toStored(row) : null;
}

/** Moves a person's read marker forward to `at` (never back). */
export async function markSpaceChatRead(
  db: Executor,
  spaceId: string,
  personId: string,
  at: Date,
): Promise<void> {
  await db
    .insertInto('space_chat_read')
    .values({ space_id: spaceId, person_id: personId, last_read_at: at })
    .onConflict((oc) =>
      oc.columns(['space_id', 'person_id']).doUpdateSet({
        last_read_at: sql<Date>`GREATEST(space_chat_read.last_read_at, excluded.last_read_at)`,
      }),
    )
    .execute();
}

/** Up to when a person read a space's chat (null: never opened). */
export async function spaceChatReadAt(
  db: Executor,
  spaceId: string,
  personId: string,
): Promise<Date | null> {
  const row = await db
    .selectFrom('space_chat_read')
    .select('last_read_at')
    .where('space_id', '=', spaceId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return row ? new Date(row.last_read_at) : null;
}

/**
 * Messages others wrote in each space since the person's read marker (all of
 * them when they never read it), in one query. Spaces with none are absent.
 */
export async function unreadCounts(
  db: Executor,
  personId: string,
  spaceIds: readonly string[],
): Promise<Map<string, number>> {
  if (spaceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('live_chat_message as m')
    .leftJoin('space_chat_read as r', (join) =>
      join.onRef('r.space_id', '=', 'm.space_id').on('r.person_id', '=', personId),
    )
    .select(['m.space_id', (eb) => eb.fn.countAll().as('n')])
    .where('m.space_id', 'in', spaceIds)
    .where('m.author_id', '<>', personId)
    .where('m.deleted_at', 'is', null)
    .where('m.erased_at', 'is', null)
    .where((eb) =>
      eb.or([eb('r.last_read_at', 'is', null), eb('m.sent_at', '>', eb.ref('r.last_read_at'))]),
    )
    .groupBy('m.space_id')
    .execute();
  return new Map(rows.map((r) => [r.space_id, Number(r.n)]));
}
