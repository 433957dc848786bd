-- Appending updates to documents' histories (storage/src/docs/updates.ts,
-- appendDocUpdates: what each part does and why is written there). The
-- statement lives in a PL/pgSQL function so that each connection plans it
-- once and keeps the plan: planned for every batch, its dozen parts cost
-- PGlite more than storing a class's batch of updates (load-tests/README.md,
-- "The append planned once").
CREATE FUNCTION append_doc_updates(
  p_i int4[], p_doc_id text[], p_author text[], p_at timestamptz[], p_body bytea[],
  p_client_of int4[], p_client_id int8[]
) RETURNS TABLE (i int4, seq int8, space_id text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH v AS (
    SELECT * FROM unnest(p_i, p_doc_id, p_author, p_at, p_body)
      AS v(i, doc_id, author, at, body)
  ), n AS (
    SELECT v.doc_id, count(*)::int8 AS n FROM v GROUP BY v.doc_id
  ), locked AS (
    SELECT doc.id FROM doc JOIN n ON n.doc_id = doc.id
    WHERE doc.archived_at IS NULL ORDER BY doc.id FOR UPDATE OF doc
  ), bumped AS (
    UPDATE doc SET last_seq = doc.last_seq + n.n, updated_at = now()
    FROM locked JOIN n ON n.doc_id = locked.id
    WHERE doc.id = locked.id
    RETURNING doc.id, doc.space_id, doc.last_seq - n.n AS before
  ), numbered AS (
    SELECT v.i, v.doc_id, v.author, v.at, v.body, b.space_id,
      b.before + row_number() OVER (PARTITION BY v.doc_id ORDER BY v.i) AS seq
    FROM v JOIN bumped b ON b.id = v.doc_id
  ), updates AS (
    INSERT INTO doc_update (doc_id, seq, author, at, body)
    SELECT nb.doc_id, nb.seq, nb.author, nb.at, nb.body FROM numbered nb
  ), clients AS (
    INSERT INTO doc_client (doc_id, client_id, person_id, first_seq)
    SELECT nb.doc_id, c.client_id, nb.author, nb.seq
    FROM unnest(p_client_of, p_client_id) AS c(i, client_id)
    JOIN numbered nb ON nb.i = c.i
    ON CONFLICT (doc_id, client_id) DO NOTHING
  ), spaces AS (
    SELECT nb.space_id, count(*)::int8 AS n FROM numbered nb GROUP BY nb.space_id
  ), counters AS (
    INSERT INTO trace_space AS t (space_id, last_seq)
    SELECT s.space_id, s.n FROM spaces s ORDER BY s.space_id
    ON CONFLICT (space_id) DO UPDATE SET last_seq = t.last_seq + EXCLUDED.last_seq
    RETURNING t.space_id, t.last_seq
  ), traced AS (
    INSERT INTO trace_outbox (space_id, seq, kind, actor, subject, at, payload, body)
    SELECT nb.space_id,
      c.last_seq - s.n + row_number() OVER (PARTITION BY nb.space_id ORDER BY nb.i),
      'doc.update', nb.author, nb.doc_id, nb.at,
      jsonb_build_object('seq', nb.seq, 'bytes', octet_length(nb.body)), nb.body
    FROM numbered nb
    JOIN counters c ON c.space_id = nb.space_id
    JOIN spaces s ON s.space_id = nb.space_id
  )
  SELECT nb.i, nb.seq, nb.space_id FROM numbered nb;
END
$$;
