-- Images placed in pads and boards carry the SHA-256 of their bytes, traced
-- with the upload (doc.file.added) and checked again in evidence bundles.
-- Images stored before this migration have none (null): their traces did not
-- exist either.
ALTER TABLE doc_file ADD COLUMN sha256 text;
CREATE INDEX doc_file_uploader ON doc_file (uploaded_by);

-- How many acts in an export's scope were still waiting in the trace outbox
-- when it was made (0: the bundle is whole). The bundle's manifest names them.
ALTER TABLE archive_export ADD COLUMN pending integer NOT NULL DEFAULT 0;
