import { AnswerInvitationRequest } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Accepts (the space, as one now sees it) or declines (null) an invitation. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const { accept } = await readJson(request, AnswerInvitationRequest);
  return locals.services.spaces.answer(requireUser(locals), params.invitationId, accept);
});
