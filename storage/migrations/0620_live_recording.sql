-- Recordings of live sessions, made by the server from the SFU. The bytes
-- are a file of the session's space (space_file, its sha256 kept and traced
-- as `file.added` in the same transaction), so a recording follows the
-- space files' retention, holds, erasure (its recorder's) and evidence
-- export. A row without file_id is a recording in progress (or one that
-- failed: stopped_at set, no file).
CREATE TABLE live_recording (
  id text PRIMARY KEY,
  session_id text NOT NULL,
  space_id text NOT NULL,
  started_by text NOT NULL,
  started_at timestamptz NOT NULL,
  stopped_at timestamptz,
  duration_ms integer,
  file_id text REFERENCES space_file (id) ON DELETE CASCADE
);
CREATE INDEX live_recording_space ON live_recording (space_id, started_at DESC);
CREATE INDEX live_recording_session ON live_recording (session_id) WHERE stopped_at IS NULL;
CREATE INDEX live_recording_recorder ON live_recording (started_by);
