import { SpaceMemberView } from '@preau/protocol';
import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** Members of a space with name, role and school. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.spaces.members(requireUser(locals), params.spaceId),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les membres d’un espace avec nom, rôle et (dans un projet) établissement',
      en: 'Members of a space with name, role and (in a project) school',
    },
    tag: 'membership',
    access: 'spaceSeers',
    response: z.array(SpaceMemberView),
    errors: ['forbidden', 'not_found'],
  },
});
