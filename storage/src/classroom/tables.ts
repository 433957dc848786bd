import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

/** Tables of the classroom feature, as Kysely sees them (migration 0200_classroom_live.sql). */
export interface ClassroomTables {
  live_session: {
    id: string;
    space_id: string;
    class_id: string | null;
    title: string;
    phase: 'scheduled' | 'live' | 'ended';
    locked: ColumnType<boolean, boolean | undefined, boolean>;
    student_screen_share: ColumnType<boolean, boolean | undefined, boolean>;
    created_by: string;
    created_at: ColumnType<Date, Date | string | undefined, never>;
    started_at: NullableTimestamp;
    ended_at: NullableTimestamp;
  };
  live_attendance: {
    session_id: string;
    person_id: string;
    name: string;
    joined_at: Timestamp;
    left_at: NullableTimestamp;
    leave_reason: string | null;
  };
  /** Migration 0290: raised hands, kept across a restart of the classroom server. */
  live_hand: {
    session_id: string;
    person_id: string;
    raised_at: Timestamp;
  };
  live_chat_message: {
    id: string;
    /** Migration 0501: null for a message written outside a live session. */
    session_id: string | null;
    /** Migration 0501: the space whose chat it is. */
    space_id: string;
    /** Migration 0501: person ids the message mentions (JSON array). */
    mentions: ColumnType<string[], string | undefined, string>;
    author_id: string;
    author_name: string;
    text: string;
    sent_at: Timestamp;
    deleted_at: NullableTimestamp;
    deleted_by: string | null;
    /** Migration 0780: the id the page gave it, unique per author and space (null: an old page). */
    client_id: ColumnType<string | null, string | null | undefined, string | null>;
    /** Migration 0202: when its author last corrected it. */
    edited_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    /** Migration 0201: when and why the text was blanked (erasure, retention). */
    erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    erased_reason: ColumnType<
      'erasure' | 'retention' | null,
      'erasure' | 'retention' | null | undefined,
      'erasure' | 'retention' | null
    >;
  };
}
