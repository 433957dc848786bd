import type { ColumnType, Generated } from 'kysely';

type Int8 = ColumnType<number, number | undefined, number>;

/** Tables of the docs feature, as Kysely sees them (migration 0300_docs.sql). */
export interface DocsTables {
  doc: {
    id: string;
    space_id: string;
    kind: 'pad' | 'board';
    title: string;
    created_by: string;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    archived_at: Date | null;
    last_seq: Generated<Int8>;
  };
  doc_update: {
    doc_id: string;
    seq: ColumnType<number, number, never>;
    author: string;
    at: ColumnType<Date, Date, never>;
    body: ColumnType<Uint8Array, Uint8Array<ArrayBufferLike>, never>;
  };
  doc_snapshot: {
    doc_id: string;
    seq: ColumnType<number, number, never>;
    state: ColumnType<Uint8Array, Uint8Array<ArrayBufferLike>, never>;
    created_at: Generated<Date>;
  };
  doc_client: {
    doc_id: string;
    client_id: ColumnType<number, number, never>;
    person_id: string;
    first_seq: ColumnType<number, number, never>;
  };
  doc_file: {
    id: string;
    doc_id: string;
    object_key: string;
    mime_type: string;
    size: number;
    uploaded_by: string;
    uploaded_at: Generated<Date>;
    /** Migration 0502: SHA-256 of the bytes (hex); null for images stored before it. */
    sha256: string | null;
  };
  /** Migration 0301: rewrites of a document's stored history (erasure, retention). */
  doc_history_rewrite: {
    doc_id: string;
    generation: number;
    seq: ColumnType<number, number, never>;
    reason: 'erasure' | 'retention';
    replaced: number;
    rewritten_at: Generated<Date>;
  };
}
