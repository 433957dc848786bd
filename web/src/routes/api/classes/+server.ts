import { MyClass, parseSpaceId } from '@preau/protocol';
import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les classes de la personne connectée, avec son rôle',
      en: 'The signed-in person’s classes, with their role',
    },
    tag: 'identity',
    access: 'signedIn',
    response: z.array(MyClass),
  },
});
