-- The trace archive (issue 6): the outbox is drained into hash-chained,
-- signed segments in object storage; these tables keep the chain's head per
-- space, the segments written, an index of records, retention rules, cases
-- and their holds and exports, the append-only audit log, and erasures.

-- Ed25519 keys that sign segment manifests and evidence bundles. The newest
-- unretired key signs; retired keys stay published so old bundles verify.
CREATE TABLE archive_key (
  kid text PRIMARY KEY,
  private_pkcs8 bytea NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);

-- The head of each space's chain: the last archived sequence number and the
-- hash of that record. A lease lets one archiver at a time work on a space.
CREATE TABLE archive_space (
  space_id text PRIMARY KEY,
  last_seq bigint NOT NULL DEFAULT 0,
  last_hash text NOT NULL,
  lease_owner text,
  lease_until timestamptz
);

-- Segments written to object storage (key layout in storage/src/archive/layout.ts).
CREATE TABLE archive_segment (
  space_id text NOT NULL,
  first_seq bigint NOT NULL,
  last_seq bigint NOT NULL,
  sha256 text NOT NULL,
  prev_hash text NOT NULL,
  last_hash text NOT NULL,
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  revision integer NOT NULL DEFAULT 1,
  -- Set when index rows were marked deleted but the segment not yet rewritten.
  redaction_pending boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (space_id, first_seq)
);
CREATE INDEX archive_segment_pending ON archive_segment (space_id) WHERE redaction_pending;

-- The index that finds records by person, space, kind and time. `people`
-- holds the actor and any person the act was about (e.g. a moderation's
-- target); it is emptied when the content is deleted.
CREATE TABLE archive_record (
  space_id text NOT NULL,
  seq bigint NOT NULL,
  kind text NOT NULL,
  actor text,
  subject text,
  people text[] NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL,
  segment_first bigint NOT NULL,
  content_hash text NOT NULL,
  body_bytes integer,
  deleted_at timestamptz,
  deleted_reason text CHECK (deleted_reason IN ('retention', 'erasure')),
  tombstone_seq bigint,
  PRIMARY KEY (space_id, seq)
);
CREATE INDEX archive_record_at ON archive_record (at);
CREATE INDEX archive_record_kind_at ON archive_record (kind, at);
CREATE INDEX archive_record_people ON archive_record USING gin (people);
CREATE INDEX archive_record_subject ON archive_record (space_id, subject, seq);

-- Retention in days, per kind, platform-wide (scope '*') or for one school
-- (scope = its UAI). Kinds without a row use the documented defaults.
CREATE TABLE archive_retention (
  scope text NOT NULL,
  kind text NOT NULL,
  days integer NOT NULL CHECK (days > 0),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, kind)
);

-- An archivist's legal matter.
CREATE TABLE archive_case (
  id text PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  legal_basis text NOT NULL,
  authority text NOT NULL,
  description text NOT NULL DEFAULT '',
  opened_by text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz
);

-- A legal hold suspends deletion (retention, erasure) of every record in its
-- scope: a space, a person, or a person in a space, over an optional period.
CREATE TABLE archive_hold (
  id text PRIMARY KEY,
  case_id text NOT NULL REFERENCES archive_case (id),
  space_id text,
  person_id text,
  from_at timestamptz,
  until_at timestamptz,
  placed_by text NOT NULL,
  placed_at timestamptz NOT NULL DEFAULT now(),
  lifted_by text,
  lifted_at timestamptz,
  lift_reason text,
  CHECK (space_id IS NOT NULL OR person_id IS NOT NULL)
);
CREATE INDEX archive_hold_active ON archive_hold (case_id) WHERE lifted_at IS NULL;

-- Evidence bundles exported for a case (the zip is in object storage).
CREATE TABLE archive_export (
  id text PRIMARY KEY,
  case_id text NOT NULL REFERENCES archive_case (id),
  object_key text NOT NULL,
  sha256 text NOT NULL,
  size bigint NOT NULL,
  records integer NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The audit log: every archivist, DPO and rights action, hash-chained and
-- append-only. The triggers refuse any change and any insert that does not
-- extend the chain (next number, previous hash).
CREATE TABLE archive_audit (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  role text NOT NULL,
  action text NOT NULL,
  case_id text,
  details jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);

CREATE FUNCTION archive_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'archive_audit is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE FUNCTION archive_audit_check_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_row record;
BEGIN
  SELECT seq, hash INTO last_row FROM archive_audit ORDER BY seq DESC LIMIT 1;
  IF last_row IS NULL THEN
    IF NEW.seq <> 1 OR NEW.prev_hash <> repeat('0', 64) THEN
      RAISE EXCEPTION 'archive_audit: the first entry must be number 1 after the genesis hash';
    END IF;
  ELSIF NEW.seq <> last_row.seq + 1 OR NEW.prev_hash <> last_row.hash THEN
    RAISE EXCEPTION 'archive_audit: entry % does not extend the chain', NEW.seq;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER archive_audit_no_update BEFORE UPDATE OR DELETE ON archive_audit
  FOR EACH ROW EXECUTE FUNCTION archive_audit_refuse_change();
CREATE TRIGGER archive_audit_no_truncate BEFORE TRUNCATE ON archive_audit
  FOR EACH STATEMENT EXECUTE FUNCTION archive_audit_refuse_change();
CREATE TRIGGER archive_audit_chain BEFORE INSERT ON archive_audit
  FOR EACH ROW EXECUTE FUNCTION archive_audit_check_chain();

-- People's erasure requests and what each did.
CREATE TABLE archive_erasure (
  id text PRIMARY KEY,
  person_id text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  report jsonb NOT NULL
);
CREATE INDEX archive_erasure_person ON archive_erasure (person_id);
