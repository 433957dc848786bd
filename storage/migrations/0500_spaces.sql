-- Spaces beyond classes: teaching groups, work groups and projects, their
-- members, invitations, the bounds each school sets, reports to staff, and
-- guests of a project. A class's space stays the directory's (class and
-- class_member); every other space has a row here. Every write goes with a
-- trace record in the same transaction.

CREATE TABLE space (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('teaching', 'group', 'project')),
  name text NOT NULL,
  -- The school; null for a project (it spans schools).
  uai text REFERENCES school (uai) ON DELETE CASCADE,
  -- A work group made inside a project.
  project_id text REFERENCES space (id) ON DELETE CASCADE,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz,
  suspended_at timestamptz,
  suspended_by text,
  suspension_reason text,
  CHECK ((kind = 'project') = (uai IS NULL))
);
CREATE INDEX space_uai ON space (uai, kind);
CREATE INDEX space_project ON space (project_id);

CREATE TABLE space_member (
  space_id text NOT NULL REFERENCES space (id) ON DELETE CASCADE,
  person_id text NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'coowner', 'member', 'teacher', 'student', 'guest')),
  added_by text,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (space_id, person_id)
);
CREATE INDEX space_member_person ON space_member (person_id);
-- One owner per space at most.
CREATE UNIQUE INDEX space_member_one_owner ON space_member (space_id) WHERE role = 'owner';

-- Whole classes brought into a project or a teaching group: their students
-- are members as long as the class is there (and they are in the class).
CREATE TABLE space_class (
  space_id text NOT NULL REFERENCES space (id) ON DELETE CASCADE,
  class_id text NOT NULL REFERENCES class (id) ON DELETE CASCADE,
  added_by text NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (space_id, class_id)
);
CREATE INDEX space_class_class ON space_class (class_id);

CREATE TABLE space_invitation (
  id text PRIMARY KEY,
  space_id text NOT NULL REFERENCES space (id) ON DELETE CASCADE,
  person_id text NOT NULL REFERENCES person (id) ON DELETE CASCADE,
  invited_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz,
  answer text CHECK (answer IN ('accepted', 'declined', 'withdrawn'))
);
-- One pending invitation per person and space.
CREATE UNIQUE INDEX space_invitation_pending ON space_invitation (space_id, person_id)
  WHERE answered_at IS NULL;
CREATE INDEX space_invitation_person ON space_invitation (person_id) WHERE answered_at IS NULL;

-- Bounds a school sets on its students' work groups (absent: the defaults).
CREATE TABLE school_settings (
  uai text PRIMARY KEY REFERENCES school (uai) ON DELETE CASCADE,
  students_create_groups boolean NOT NULL DEFAULT true,
  max_group_members integer NOT NULL DEFAULT 30,
  max_groups_per_student integer NOT NULL DEFAULT 10,
  student_salons boolean NOT NULL DEFAULT true,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Reports of a message or a document, sent to the staff of the school(s)
-- concerned with a copy of what was reported.
CREATE TABLE space_report (
  id text PRIMARY KEY,
  space_id text NOT NULL,
  reporter text NOT NULL,
  target_kind text NOT NULL CHECK (target_kind IN ('message', 'doc', 'file')),
  target_id text NOT NULL,
  reason text NOT NULL,
  -- What was reported as it stood then (message text, document title and text).
  content jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  handled_at timestamptz,
  handled_by text
);
CREATE INDEX space_report_space ON space_report (space_id, created_at DESC);

-- Guests of a project (an outside contributor with no ENT account): a person
-- of the directory whose personal sign-in link is stored as its SHA-256.
CREATE TABLE space_guest (
  person_id text PRIMARY KEY REFERENCES person (id) ON DELETE CASCADE,
  space_id text NOT NULL REFERENCES space (id) ON DELETE CASCADE,
  link_hash text NOT NULL UNIQUE,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
