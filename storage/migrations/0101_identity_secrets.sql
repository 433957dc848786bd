-- Secrets that every web node must share and that must survive a restart,
-- such as the embedded demo provider's ID token signing key (so that a
-- sign-out after a restart still names a token the provider can check).
CREATE TABLE identity_secret (
  name text PRIMARY KEY,
  value jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
