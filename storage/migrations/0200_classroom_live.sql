-- Live sessions of a space (a class's video class), who attended them and
-- their chat. Every write here goes with a trace record in the same
-- transaction (session.*, chat.*).
CREATE TABLE live_session (
  id text PRIMARY KEY,
  space_id text NOT NULL,
  class_id text,
  title text NOT NULL,
  phase text NOT NULL CHECK (phase IN ('scheduled', 'live', 'ended')),
  locked boolean NOT NULL DEFAULT false,
  student_screen_share boolean NOT NULL DEFAULT false,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  ended_at timestamptz
);

-- A space has at most one session that is not over: starting twice joins it.
CREATE UNIQUE INDEX live_session_open_per_space ON live_session (space_id)
  WHERE phase <> 'ended';
CREATE INDEX live_session_space_created ON live_session (space_id, created_at DESC);

-- One row per stay: a reconnection within the grace period continues the stay.
CREATE TABLE live_attendance (
  session_id text NOT NULL REFERENCES live_session (id) ON DELETE CASCADE,
  person_id text NOT NULL,
  name text NOT NULL,
  joined_at timestamptz NOT NULL,
  left_at timestamptz,
  leave_reason text,
  PRIMARY KEY (session_id, person_id, joined_at)
);

CREATE TABLE live_chat_message (
  id text PRIMARY KEY,
  session_id text NOT NULL REFERENCES live_session (id) ON DELETE CASCADE,
  author_id text NOT NULL,
  author_name text NOT NULL,
  text text NOT NULL,
  sent_at timestamptz NOT NULL,
  deleted_at timestamptz,
  deleted_by text
);
CREATE INDEX live_chat_message_session ON live_chat_message (session_id, sent_at);
