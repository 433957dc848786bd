-- Documents (pads and boards) of a space, and their whole history: every Yjs
-- update as it arrived (append-only, with its author and time), compacted
-- snapshots to load fast, and which Yjs client ids each author used.

CREATE TABLE doc (
  id text PRIMARY KEY,
  space_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('pad', 'board')),
  title text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  -- The last update's sequence number; the row lock that bumps it orders
  -- the updates of one document, so they commit in sequence order.
  last_seq bigint NOT NULL DEFAULT 0
);
CREATE INDEX doc_space ON doc (space_id, created_at);

-- Never updated nor deleted: the history is this table.
CREATE TABLE doc_update (
  doc_id text NOT NULL REFERENCES doc (id),
  seq bigint NOT NULL,
  author text NOT NULL,
  at timestamptz NOT NULL,
  body bytea NOT NULL,
  PRIMARY KEY (doc_id, seq)
);
CREATE INDEX doc_update_at ON doc_update (doc_id, at);

-- The merge of every update up to `seq` (no garbage collection: a snapshot
-- holds exactly what the updates held).
CREATE TABLE doc_snapshot (
  doc_id text NOT NULL REFERENCES doc (id),
  seq bigint NOT NULL,
  state bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (doc_id, seq)
);

-- Which person wrote with which Yjs client id (authorship colours).
CREATE TABLE doc_client (
  doc_id text NOT NULL REFERENCES doc (id),
  client_id bigint NOT NULL,
  person_id text NOT NULL,
  first_seq bigint NOT NULL,
  PRIMARY KEY (doc_id, client_id)
);

-- Images of pads and boards, stored in object storage under `object_key`.
CREATE TABLE doc_file (
  id text PRIMARY KEY,
  doc_id text NOT NULL REFERENCES doc (id),
  object_key text NOT NULL,
  mime_type text NOT NULL,
  size integer NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX doc_file_doc ON doc_file (doc_id);
