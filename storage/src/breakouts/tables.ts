import type { ColumnType } from 'kysely';

/** Tables of breakout rooms, as Kysely sees them (migration 0610_breakouts.sql). */
export interface BreakoutsTables {
  breakout_split: {
    space_id: string;
    session_id: string;
    /** JSON: person ids per room, room 1 first. */
    rooms: ColumnType<unknown, string, string>;
    saved_by: string;
    saved_at: ColumnType<Date, Date | undefined, Date>;
  };
}
