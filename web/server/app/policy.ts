import { Permission, type SchoolSettings, type SessionUser, type SpaceRole } from '@preau/protocol';
import type { SpaceFacts } from '@preau/storage';

// Who may do what in a space: the whole policy, as pure functions of the
// facts (kind, school, state, the person's role) so that a table test can
// read it. Every edge asks through SpaceAccess, which calls these.

const CONTENT: Permission[] = ['see', 'read', 'write', 'present', 'report'];
const LEADS: Permission[] = [...CONTENT, 'moderate', 'salon', 'invite', 'manage'];

/** What each role holds in an active space of each kind, before state and school bounds. */
function byRole(kind: SpaceFacts['kind'], role: SpaceRole): Permission[] {
  switch (kind) {
    case 'class':
      return role === 'teacher'
        ? ['see', 'read', 'write', 'moderate', 'present', 'salon', 'report']
        : role === 'student'
          ? [...CONTENT]
          : [];
    case 'teaching':
      return role === 'teacher' ? [...LEADS] : role === 'student' ? [...CONTENT] : [];
    case 'group':
      if (role === 'owner') return [...LEADS, 'own'];
      if (role === 'coowner') return [...LEADS];
      return role === 'member' ? [...CONTENT, 'salon'] : [];
    case 'project':
      if (role === 'owner') return [...LEADS, 'own'];
      if (role === 'teacher') return [...LEADS];
      return role === 'student' || role === 'guest' ? [...CONTENT] : [];
  }
}

/** Rights that a suspended or archived space keeps for its members. */
const READ_ONLY: Permission[] = ['see', 'read', 'report'];

/**
 * A person's permissions in one space. `settings` are the bounds of the
 * space's school (for a work group's salon); `now` decides a guest's expiry.
 */
export function permissionsOf(
  facts: SpaceFacts,
  user: Pick<SessionUser, 'id' | 'profiles' | 'roles'>,
  settings: SchoolSettings | null,
  now = new Date(),
): Permission[] {
  const granted = new Set<Permission>();
  let role = facts.role;
  if (role === 'guest' && (!facts.guestUntil || facts.guestUntil <= now)) role = null;
  if (role) for (const p of byRole(facts.kind, role)) granted.add(p);
  // A work group's salon without a teacher, unless its school forbids it.
  const teacher = user.profiles.some((p) => p.kind === 'teacher');
  if (facts.kind === 'group' && role === 'member' && settings?.studentSalons === false && !teacher)
    granted.delete('salon');
  if (facts.state !== 'active') {
    for (const p of [...granted]) if (!READ_ONLY.includes(p)) granted.delete(p);
    // The owner may bring an archived group back; staff decide on suspensions.
    if (
      facts.state === 'archived' &&
      (role === 'owner' || (facts.kind === 'teaching' && role === 'teacher'))
    )
      granted.add('manage');
  }
  // The school's staff (CPE, head) oversee its spaces: names and members, not content.
  const staff =
    facts.uai !== null && user.profiles.some((p) => p.kind === 'staff' && p.uai === facts.uai);
  if (staff) {
    granted.add('see');
    if (facts.kind === 'group' || facts.kind === 'teaching') granted.add('suspend');
  }
  // A project's teachers know the work groups made in it.
  if (facts.projectId && (facts.projectRole === 'owner' || facts.projectRole === 'teacher'))
    granted.add('see');
  if (user.roles.includes('admin')) granted.add('see');
  return Permission.options.filter((p) => granted.has(p));
}
