import { membersOfSpace } from '@preau/storage';
import { loadClassAccess } from '#lib/server/classes';
import type { PageServerLoad } from './$types';

/** A class: its members (names resolved now) and the links to its spaces. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  const { klass, space, rights } = await loadClassAccess(locals, url, params.classId);
  const members = await membersOfSpace(locals.services.database.db, space);
  return {
    klass,
    space,
    isTeacher: rights.includes('moderate'),
    teachers: members.filter((m) => m.role === 'teacher'),
    students: members.filter((m) => m.role === 'student'),
  };
};
