-- Presenting a PDF in a live session. The PDF is a file of the session's
-- space (space_file: object storage, SHA-256, `file.added`), so it is among
-- the class's files, in retention, holds, erasure and evidence bundles.
-- live_presentation holds what a session shows: which file, which page,
-- who may turn the pages; a row without closed_at is the one shown now.
CREATE TABLE live_presentation (
  id text PRIMARY KEY,
  session_id text NOT NULL,
  space_id text NOT NULL,
  file_id text NOT NULL REFERENCES space_file (id) ON DELETE CASCADE,
  pages integer NOT NULL CHECK (pages >= 1),
  page integer NOT NULL CHECK (page >= 1),
  controller text,
  opened_by text NOT NULL,
  opened_at timestamptz NOT NULL,
  closed_at timestamptz
);
CREATE INDEX live_presentation_open ON live_presentation (session_id) WHERE closed_at IS NULL;
CREATE INDEX live_presentation_opener ON live_presentation (opened_by);

-- Marks drawn on a presented PDF's pages, kept with the file (not the
-- session): presenting it again, in any later session, shows them. Each is
-- traced (`presentation.marked`, with its shape) in the same transaction.
CREATE TABLE presentation_mark (
  id text PRIMARY KEY,
  space_id text NOT NULL,
  file_id text NOT NULL REFERENCES space_file (id) ON DELETE CASCADE,
  page integer NOT NULL CHECK (page >= 1),
  shape jsonb NOT NULL,
  author_id text NOT NULL,
  session_id text,
  created_at timestamptz NOT NULL
);
CREATE INDEX presentation_mark_page ON presentation_mark (file_id, page, created_at);
CREATE INDEX presentation_mark_author ON presentation_mark (author_id);
