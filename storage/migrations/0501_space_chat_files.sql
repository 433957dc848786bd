-- A space owns its chat: messages written outside a live session have no
-- session; those written during one keep it and carry the space too, so the
-- space's history runs through its sessions. Mentions, read markers and the
-- files members share live here as well. Every write goes with a trace
-- record in the same transaction (chat.*, file.*).
ALTER TABLE live_chat_message ADD COLUMN space_id text;
UPDATE live_chat_message SET space_id = s.space_id
  FROM live_session s WHERE s.id = live_chat_message.session_id;
ALTER TABLE live_chat_message ALTER COLUMN space_id SET NOT NULL;
ALTER TABLE live_chat_message ALTER COLUMN session_id DROP NOT NULL;
-- People a message names with "@" (person ids), as its author wrote them.
ALTER TABLE live_chat_message ADD COLUMN mentions jsonb NOT NULL DEFAULT '[]'::jsonb;
CREATE INDEX live_chat_message_space ON live_chat_message (space_id, sent_at, id);
CREATE INDEX live_chat_message_author ON live_chat_message (author_id);

-- Up to when a person has read a space's chat (unread counts).
CREATE TABLE space_chat_read (
  space_id text NOT NULL,
  person_id text NOT NULL,
  last_read_at timestamptz NOT NULL,
  PRIMARY KEY (space_id, person_id)
);

-- Files shared in a space, their bytes in object storage under object_key.
CREATE TABLE space_file (
  id text PRIMARY KEY,
  space_id text NOT NULL,
  name text NOT NULL,
  object_key text NOT NULL,
  mime_type text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  deleted_by text
);
CREATE INDEX space_file_space ON space_file (space_id, uploaded_at DESC);
CREATE INDEX space_file_uploader ON space_file (uploaded_by);

-- The schools whose staff receive a report (a project's: its teachers' schools).
CREATE TABLE space_report_school (
  report_id text NOT NULL REFERENCES space_report (id) ON DELETE CASCADE,
  uai text NOT NULL,
  PRIMARY KEY (report_id, uai)
);
CREATE INDEX space_report_school_uai ON space_report_school (uai, report_id);
