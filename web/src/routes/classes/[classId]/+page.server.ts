import { distinguishersOf, membersOfSpace } from '@preau/storage';
import { sharedNames } from '#lib/names';
import { loadClassAccess } from '#lib/server/classes';
import type { PageServerLoad } from './$types';

/** A class: its members (names resolved now) and the links to its spaces. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  const { klass, space, rights } = await loadClassAccess(locals, url, params.classId);
  const db = locals.services.database.db;
  const members = await membersOfSpace(db, space);
  // Two members with the same name are told apart by their login; others keep a plain name.
  const shared = sharedNames(members.map((m) => ({ name: m.displayName })));
  const homonyms = members.filter((m) => shared.has(m.displayName)).map((m) => m.personId);
  const logins = await distinguishersOf(db, homonyms);
  const withHint = members.map((m) => ({ ...m, hint: logins.get(m.personId)?.login ?? null }));
  return {
    klass,
    space,
    isTeacher: rights.includes('moderate'),
    teachers: withHint.filter((m) => m.role === 'teacher'),
    students: withHint.filter((m) => m.role === 'student'),
  };
};
