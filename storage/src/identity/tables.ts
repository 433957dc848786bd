import type { ColumnType, Generated } from 'kysely';

/** Tables of the identity feature, as Kysely sees them (migration 0100_identity.sql). */
export interface IdentityTables {
  school: {
    uai: string;
    name: string;
    kind: SchoolKind;
    town: string;
  };
  person: {
    id: string;
    login: string;
    given_name: string;
    family_name: string;
    created_at: Generated<Date>;
  };
  profile: {
    person_id: string;
    uai: string;
    kind: 'student' | 'teacher' | 'staff' | 'parent' | 'guest';
  };
  platform_role: {
    person_id: string;
    role: 'archivist' | 'dpo' | 'admin';
  };
  class: {
    id: string;
    uai: string;
    name: string;
  };
  class_member: {
    class_id: string;
    person_id: string;
    role: 'student' | 'teacher';
  };
  web_session: {
    id_hash: string;
    person_id: string;
    csrf: string;
    id_token: string | null;
    created_at: Generated<Date>;
    expires_at: Date;
  };
  login_attempt: {
    state: string;
    nonce: string;
    code_verifier: string;
    return_to: string;
    expires_at: Date;
  };
  identity_secret: {
    name: string;
    value: ColumnType<unknown, string, string>;
    created_at: Generated<Date>;
  };
  signing_key: {
    kid: string;
    private_jwk: ColumnType<unknown, string, never>;
    public_jwk: ColumnType<unknown, string, never>;
    created_at: Generated<Date>;
    activates_at: Date;
  };
}

/** Kinds of schools, stored without accents (école, collège, lycée). */
export type SchoolKind = 'ecole' | 'college' | 'lycee';
