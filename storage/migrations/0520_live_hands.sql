-- Raised hands of a live session, written before they are announced, so
-- that a classroom server killed mid-lesson gives them back on restart.
CREATE TABLE live_hand (
  session_id text NOT NULL REFERENCES live_session (id) ON DELETE CASCADE,
  person_id text NOT NULL,
  raised_at timestamptz NOT NULL,
  PRIMARY KEY (session_id, person_id)
);
