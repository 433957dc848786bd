import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

/** Recordings of live sessions (migration 0620_live_recording.sql). */
export interface RecordingTables {
  live_recording: {
    id: string;
    session_id: string;
    space_id: string;
    started_by: string;
    started_at: Timestamp;
    stopped_at: NullableTimestamp;
    duration_ms: number | null;
    /** The space file holding the bytes; null while recording or when it failed. */
    file_id: string | null;
  };
}
