import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
type Json<T> = ColumnType<T, string, string>;

/** Tables of live polls and of the session floor (migration 0600_polls.sql). */
export interface PollsTables {
  live_poll: {
    id: string;
    session_id: string;
    space_id: string;
    kind: 'yes_no' | 'single' | 'multiple' | 'text';
    question: string;
    options: Json<string[]>;
    anonymous: boolean;
    created_by: string;
    created_at: Timestamp;
    closed_at: NullableTimestamp;
    published_at: NullableTimestamp;
  };
  live_poll_answer: {
    id: string;
    poll_id: string;
    anonymous: boolean;
    /** Null for an anonymous poll's answer (a CHECK enforces it) and after an erasure. */
    person_id: string | null;
    person_name: string | null;
    choices: Json<number[]>;
    text: string | null;
    answered_at: Timestamp;
    erased_at: NullableTimestamp;
  };
  live_session_floor: {
    session_id: string;
    waiting_room: ColumnType<boolean, boolean | undefined, boolean>;
    chat_open: ColumnType<boolean, boolean | undefined, boolean>;
  };
}
