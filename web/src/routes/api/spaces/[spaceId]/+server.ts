import { MySpace } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/spaces/{id}`: one space as the person sees it (404 for a group or project they may not see). */
export const GET: RequestHandler = api(
  async ({ locals, params }): Promise<MySpace> =>
    locals.services.spaces.get(requireUser(locals), params.spaceId),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Un espace tel que la personne le voit : type, établissement, état, rôle, permissions',
      en: 'One space as the person sees it: kind, school, state, role, permissions',
    },
    tag: 'spaces',
    access: 'spaceSeers',
    response: MySpace,
    errors: ['forbidden', 'not_found'],
  },
});
