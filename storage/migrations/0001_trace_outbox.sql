-- The trace port: every collaborative act is appended here in the same
-- transaction as the act itself, numbered per space. The archive (issue 6)
-- drains this outbox into hash-chained segments in object storage.
CREATE TABLE trace_space (
  space_id text PRIMARY KEY,
  last_seq bigint NOT NULL DEFAULT 0
);

CREATE TABLE trace_outbox (
  space_id text NOT NULL,
  seq bigint NOT NULL,
  kind text NOT NULL,
  actor text NOT NULL,
  subject text,
  at timestamptz NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  body bytea,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (space_id, seq)
);

CREATE INDEX trace_outbox_recorded_at ON trace_outbox (recorded_at);
