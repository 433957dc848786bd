import { AddClassRequest, SpaceClassView } from '@preau/protocol';
import { z } from 'zod';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** Classes brought into a project or teaching group. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.spaces.classes(requireUser(locals), params.spaceId),
);

/** Brings a whole class the teacher teaches. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const user = requireUser(locals);
  const { classId } = await readJson(request, AddClassRequest);
  await locals.services.spaces.addClass(user, params.spaceId, classId);
  return locals.services.spaces.classes(user, params.spaceId);
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les classes amenées dans un projet ou un groupe d’enseignement',
      en: 'Classes brought into a project or teaching group',
    },
    tag: 'membership',
    access: 'spaceSeers',
    response: z.array(SpaceClassView),
    errors: ['forbidden', 'not_found'],
  },
  POST: {
    summary: {
      fr: 'Amène toute une classe que l’enseignant a en charge',
      en: 'Brings a whole class the teacher teaches',
    },
    tag: 'membership',
    access: {
      fr: 'Enseignants du projet ou du groupe d’enseignement, pour une classe qu’ils ont.',
      en: 'Teachers of the project or teaching group, for a class they teach.',
    },
    body: AddClassRequest,
    response: z.array(SpaceClassView),
    errors: ['not_found', 'conflict'],
  },
});
