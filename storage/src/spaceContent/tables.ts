import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

/**
 * Tables of what every space has beyond its documents (migration
 * 0501_space_chat_files.sql): read markers of its chat, its shared files,
 * and the schools a report goes to. The chat itself is `live_chat_message`.
 */
export interface SpaceContentTables {
  /** Up to when a person read a space's chat. */
  space_chat_read: {
    space_id: string;
    person_id: string;
    last_read_at: Timestamp;
  };
  /** Files shared in a space. */
  space_file: {
    id: string;
    space_id: string;
    name: string;
    object_key: string;
    mime_type: string;
    size: ColumnType<number | string, number, number>;
    sha256: string;
    uploaded_by: string;
    uploaded_at: ColumnType<Date, Date | string | undefined, Date | string>;
    deleted_at: NullableTimestamp;
    deleted_by: string | null;
  };
  /** The schools whose staff receive a report. */
  space_report_school: {
    report_id: string;
    uai: string;
  };
}
