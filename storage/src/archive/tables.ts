import type { ColumnType, Generated } from 'kysely';

type BigInt = ColumnType<number, number, number>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;
type Json = ColumnType<unknown, string, string>;

/** Tables of the archive feature, as Kysely sees them (migration 0400_archive.sql). */
export interface ArchiveTables {
  archive_key: {
    kid: string;
    private_pkcs8: Uint8Array;
    public_jwk: Json;
    created_at: Generated<Date>;
    retired_at: Date | null;
  };
  archive_space: {
    space_id: string;
    last_seq: BigInt;
    last_hash: string;
    lease_owner: string | null;
    lease_until: Date | null;
  };
  archive_segment: {
    space_id: string;
    first_seq: BigInt;
    last_seq: BigInt;
    sha256: string;
    prev_hash: string;
    last_hash: string;
    first_at: Date;
    last_at: Date;
    revision: Generated<number>;
    redaction_pending: Generated<boolean>;
    created_at: Generated<Date>;
  };
  archive_record: {
    space_id: string;
    seq: BigInt;
    kind: string;
    actor: string | null;
    subject: string | null;
    people: ColumnType<string[], string[] | undefined, string[]>;
    at: Date;
    segment_first: BigInt;
    content_hash: string;
    body_bytes: number | null;
    deleted_at: Date | null;
    deleted_reason: 'retention' | 'erasure' | null;
    tombstone_seq: BigInt | null;
  };
  archive_retention: {
    scope: string;
    kind: string;
    days: number;
    updated_by: string;
    updated_at: Timestamp;
  };
  archive_case: {
    id: string;
    reference: string;
    legal_basis: string;
    authority: string;
    description: string;
    opened_by: string;
    opened_at: Timestamp;
    closed_at: Date | null;
    /** 0401_archive_case_close.sql */
    closed_by: string | null;
    close_outcome: string | null;
    closed_on: string | null;
  };
  archive_hold: {
    id: string;
    case_id: string;
    space_id: string | null;
    person_id: string | null;
    from_at: Date | null;
    until_at: Date | null;
    placed_by: string;
    placed_at: Timestamp;
    lifted_by: string | null;
    lifted_at: Date | null;
    lift_reason: string | null;
  };
  archive_export: {
    id: string;
    case_id: string;
    object_key: string;
    sha256: string;
    size: BigInt;
    records: number;
    created_by: string;
    created_at: Timestamp;
    /** Migration 0502: acts in scope still in the trace outbox when the bundle was made. */
    pending: Generated<number>;
  };
  archive_audit: {
    seq: BigInt;
    at: Date;
    actor: string;
    role: string;
    action: string;
    case_id: string | null;
    details: Json;
    prev_hash: string;
    hash: string;
  };
  archive_erasure: {
    id: string;
    person_id: string;
    requested_at: Timestamp;
    report: Json;
  };
}
