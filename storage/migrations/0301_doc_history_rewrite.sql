-- When a document's stored history was rewritten: an erasure (a person's
-- text removed) or retention (versions past their retention merged). The
-- updates up to `seq` were replaced by one update at `seq` holding the
-- document as it was then, garbage-collected (deleted text is only a length
-- there), and every snapshot was dropped. The latest generation is the
-- history's base: versions before its `seq` no longer exist, and a snapshot
-- compacted from what was read before a rewrite is refused (its generation
-- is stale). No text is kept here.
CREATE TABLE doc_history_rewrite (
  doc_id text NOT NULL REFERENCES doc (id),
  -- 1, 2, …: one more per rewrite of the document.
  generation integer NOT NULL,
  seq bigint NOT NULL,
  reason text NOT NULL CHECK (reason IN ('erasure', 'retention')),
  -- How many stored updates the base replaced.
  replaced integer NOT NULL,
  rewritten_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (doc_id, generation)
);
