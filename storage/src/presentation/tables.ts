import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

/** Presentations of PDFs in live sessions and their marks (migration 0630_presentation.sql). */
export interface PresentationTables {
  live_presentation: {
    id: string;
    session_id: string;
    space_id: string;
    /** The space file presented. */
    file_id: string;
    pages: number;
    page: number;
    /** A participant allowed to turn the pages and draw, or null. */
    controller: string | null;
    opened_by: string;
    opened_at: Timestamp;
    closed_at: NullableTimestamp;
  };
  presentation_mark: {
    id: string;
    space_id: string;
    file_id: string;
    page: number;
    /** The mark's shape (protocol `MarkShape`), as JSON. */
    shape: ColumnType<unknown, string, string>;
    author_id: string;
    session_id: string | null;
    created_at: Timestamp;
  };
}
