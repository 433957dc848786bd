-- Polls of a live session and their answers, and the session's floor
-- settings (waiting room, chat open to students). Every write here goes with
-- a trace record in the same transaction (poll.*, session.moderation).
CREATE TABLE live_poll (
  id text PRIMARY KEY,
  session_id text NOT NULL REFERENCES live_session (id) ON DELETE CASCADE,
  space_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('yes_no', 'single', 'multiple', 'text')),
  question text NOT NULL,
  options jsonb NOT NULL DEFAULT '[]',
  anonymous boolean NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  closed_at timestamptz,
  published_at timestamptz
);
CREATE INDEX live_poll_session ON live_poll (session_id, created_at);
CREATE INDEX live_poll_space ON live_poll (space_id, created_at);

-- One row per answer. An anonymous poll's answers never hold a person id:
-- the CHECK makes it a rule of the table, not only of the code.
CREATE TABLE live_poll_answer (
  id text PRIMARY KEY,
  poll_id text NOT NULL REFERENCES live_poll (id) ON DELETE CASCADE,
  anonymous boolean NOT NULL,
  person_id text,
  person_name text,
  choices jsonb NOT NULL DEFAULT '[]',
  text text,
  answered_at timestamptz NOT NULL,
  erased_at timestamptz,
  CHECK (NOT anonymous OR (person_id IS NULL AND person_name IS NULL))
);
CREATE INDEX live_poll_answer_poll ON live_poll_answer (poll_id);
CREATE INDEX live_poll_answer_person ON live_poll_answer (person_id) WHERE person_id IS NOT NULL;

-- A session's floor settings, apart from live_session so that each feature
-- keeps its own columns.
CREATE TABLE live_session_floor (
  session_id text PRIMARY KEY REFERENCES live_session (id) ON DELETE CASCADE,
  waiting_room boolean NOT NULL DEFAULT false,
  chat_open boolean NOT NULL DEFAULT true
);
