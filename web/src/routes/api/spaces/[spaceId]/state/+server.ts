import { MySpace, SpaceStateRequest } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** Archives, suspends or reactivates a space. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const user = requireUser(locals);
  const { state, reason } = await readJson(request, SpaceStateRequest);
  return locals.services.spaces.setState(user, params.spaceId, state, reason);
});

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Archive, suspend ou réactive un espace',
      en: 'Archives, suspends or reactivates a space',
    },
    tag: 'spaces',
    access: {
      fr: 'Qui gère l’espace archive et réactive ; le personnel de l’établissement suspend et lève.',
      en: 'Managers archive and reactivate; the school’s staff suspend and lift.',
    },
    body: SpaceStateRequest,
    response: MySpace,
    errors: ['not_found', 'conflict'],
  },
});
