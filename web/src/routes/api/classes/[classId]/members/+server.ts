import { classSpaceId, SpaceMember } from '@preau/protocol';
import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** A class's roster: for its members, its school's staff and directory admins. */
export const GET: RequestHandler = api(async ({ locals, params }): Promise<SpaceMember[]> => {
  const members = await locals.services.spaces.members(
    requireUser(locals),
    classSpaceId(params.classId),
  );
  return members.flatMap(({ personId, displayName, role }) =>
    role === 'teacher' || role === 'student' ? [{ personId, displayName, role }] : [],
  );
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Enseignants et élèves d’une classe, noms résolus maintenant',
      en: 'Teachers and students of a class, names resolved now',
    },
    tag: 'spaces',
    access: {
      fr: 'Membres de la classe, personnel de son établissement, administrateurs (403 sinon).',
      en: 'Members of the class, its school’s staff, admins (403 otherwise).',
    },
    response: z.array(SpaceMember),
    errors: ['forbidden', 'not_found'],
  },
});
