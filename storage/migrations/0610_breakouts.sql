-- The last split of a space's breakout rooms: who was in which room when
-- they last closed, so that the teacher reuses it in one click. One row per
-- space (a class's space is `class_<classId>`); `rooms` is a JSON array of
-- arrays of pseudonymous person ids, room 1 first.
CREATE TABLE breakout_split (
  space_id text PRIMARY KEY,
  session_id text NOT NULL,
  rooms jsonb NOT NULL,
  saved_by text NOT NULL,
  saved_at timestamptz NOT NULL DEFAULT now()
);
