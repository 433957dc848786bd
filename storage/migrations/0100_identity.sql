-- Identity: the directory (schools, persons, profiles, platform roles,
-- classes), web sessions, sign-in transactions and the capability signing keys.

CREATE TABLE school (
  uai text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('ecole', 'college', 'lycee')),
  town text NOT NULL
);

-- A person: `id` is pseudonymous (carried in tokens and traces); `login` is the
-- directory's identifier, matched against the identity provider's subject.
CREATE TABLE person (
  id text PRIMARY KEY,
  login text NOT NULL UNIQUE,
  given_name text NOT NULL,
  family_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Profiles per school: one person may be a teacher in one school and a
-- parent in another.
CREATE TABLE profile (
  person_id text NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  uai text NOT NULL REFERENCES school (uai) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('student', 'teacher', 'staff', 'parent', 'guest')),
  PRIMARY KEY (person_id, uai, kind)
);
CREATE INDEX profile_uai ON profile (uai);

CREATE TABLE platform_role (
  person_id text NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('archivist', 'dpo', 'admin')),
  PRIMARY KEY (person_id, role)
);

CREATE TABLE class (
  id text PRIMARY KEY,
  uai text NOT NULL REFERENCES school (uai) ON DELETE CASCADE,
  name text NOT NULL,
  UNIQUE (uai, name)
);

CREATE TABLE class_member (
  class_id text NOT NULL REFERENCES class (id) ON DELETE CASCADE,
  person_id text NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('student', 'teacher')),
  PRIMARY KEY (class_id, person_id)
);
CREATE INDEX class_member_person ON class_member (person_id);

-- Web sessions: the cookie holds a random secret, the table its SHA-256.
CREATE TABLE web_session (
  id_hash text PRIMARY KEY,
  person_id text NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  csrf text NOT NULL,
  id_token text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX web_session_expires ON web_session (expires_at);

-- Sign-in in progress (state, nonce, PKCE verifier) between redirect and callback.
CREATE TABLE login_attempt (
  state text PRIMARY KEY,
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  return_to text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- Ed25519 keys that sign capability tokens; published before use, kept after
-- retirement until the last token they signed has expired.
CREATE TABLE signing_key (
  kid text PRIMARY KEY,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  activates_at timestamptz NOT NULL
);
