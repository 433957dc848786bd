import type { Kysely, Transaction } from 'kysely';
import type { Schema } from '../db/schema';

type Executor = Kysely<Schema> | Transaction<Schema>;

/** Keeps a space's latest breakout split (person ids per room), replacing the previous one. */
export async function saveBreakoutSplit(
  db: Executor,
  input: { space: string; sessionId: string; rooms: string[][]; by: string; at: Date },
): Promise<void> {
  const rooms = JSON.stringify(input.rooms);
  await db
    .insertInto('breakout_split')
    .values({
      space_id: input.space,
      session_id: input.sessionId,
      rooms,
      saved_by: input.by,
      saved_at: input.at,
    })
    .onConflict((oc) =>
      oc.column('space_id').doUpdateSet({
        session_id: input.sessionId,
        rooms,
        saved_by: input.by,
        saved_at: input.at,
      }),
    )
    .execute();
}

/** A space's latest breakout split, or null if it never had one. */
export async function findBreakoutSplit(db: Executor, space: string): Promise<string[][] | null> {
  const row = await db
    .selectFrom('breakout_split')
    .select('rooms')
    .where('space_id', '=', space)
    .executeTakeFirst();
  if (!row) return null;
  const rooms = typeof row.rooms === 'string' ? JSON.parse(row.rooms) : row.rooms;
  if (!Array.isArray(rooms)) return null;
  return rooms.map((room) =>
    Array.isArray(room) ? room.filter((id): id is string => typeof id === 'string') : [],
  );
}
