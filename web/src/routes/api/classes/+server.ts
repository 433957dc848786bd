import { type MyClass, parseSpaceId } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** The signed-in user's classes, with their role in each (their class spaces). */
export const GET: RequestHandler = api(async ({ locals }): Promise<MyClass[]> => {
  const mine = await locals.services.spaces.mine(requireUser(locals));
  return mine.flatMap((s) => {
    const owner = parseSpaceId(s.id);
    if (owner?.kind !== 'class' || !s.uai || (s.role !== 'teacher' && s.role !== 'student'))
      return [];
    return [
      {
        id: owner.ownerId,
        uai: s.uai,
        name: s.name,
        schoolName: s.schoolName ?? '',
        role: s.role,
        space: s.id,
      },
    ];
  });
});
