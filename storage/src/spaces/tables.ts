import type { ColumnType, Generated } from 'kysely';

/** Tables of the spaces feature, as Kysely sees them (migration 0500_spaces.sql). */
export interface SpacesTables {
  space: {
    id: string;
    kind: 'teaching' | 'group' | 'project';
    name: string;
    uai: string | null;
    project_id: string | null;
    created_by: string | null;
    created_at: Generated<Date>;
    archived_at: Date | null;
    suspended_at: Date | null;
    suspended_by: string | null;
    suspension_reason: string | null;
  };
  space_member: {
    space_id: string;
    person_id: string;
    role: 'owner' | 'coowner' | 'member' | 'teacher' | 'student' | 'guest';
    added_by: string | null;
    added_at: Generated<Date>;
  };
  space_class: {
    space_id: string;
    class_id: string;
    added_by: string;
    added_at: Generated<Date>;
  };
  space_invitation: {
    id: string;
    space_id: string;
    person_id: string;
    invited_by: string;
    created_at: Generated<Date>;
    answered_at: Date | null;
    answer: 'accepted' | 'declined' | 'withdrawn' | null;
  };
  school_settings: {
    uai: string;
    students_create_groups: boolean;
    max_group_members: number;
    max_groups_per_student: number;
    student_salons: boolean;
    updated_by: string | null;
    updated_at: Generated<Date>;
  };
  space_report: {
    id: string;
    space_id: string;
    reporter: string;
    target_kind: 'message' | 'doc' | 'file';
    target_id: string;
    reason: string;
    content: ColumnType<unknown, string, never>;
    created_at: Generated<Date>;
    handled_at: Date | null;
    handled_by: string | null;
  };
  space_guest: {
    person_id: string;
    space_id: string;
    link_hash: string;
    created_by: string;
    created_at: Generated<Date>;
    expires_at: Date;
  };
}
