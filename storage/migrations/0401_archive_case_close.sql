-- Closing a case (issue 6): who closed it, the outcome that ended the
-- matter and the date of that decision (`YYYY-MM-DD`, kept as text so no
-- driver turns it into a local midnight). `closed_at` (0400) is the moment
-- of the act. Closing lifts the case's active holds in the same
-- transaction, each with `lifted_at = closed_at`.
ALTER TABLE archive_case ADD COLUMN closed_by text;
ALTER TABLE archive_case ADD COLUMN close_outcome text;
ALTER TABLE archive_case ADD COLUMN closed_on text CHECK (closed_on ~ '^\d{4}-\d{2}-\d{2}$');
ALTER TABLE archive_case ADD CONSTRAINT archive_case_closed_whole CHECK (
  (closed_at IS NULL AND closed_by IS NULL AND close_outcome IS NULL AND closed_on IS NULL)
  OR (closed_at IS NOT NULL AND closed_by IS NOT NULL AND close_outcome IS NOT NULL AND closed_on IS NOT NULL)
);
