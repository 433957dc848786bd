import { CreateGuestRequest } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** A project teacher creates a guest; the personal link is in the answer, once. */
export const POST: RequestHandler = api(async ({ locals, params, request }) => {
  const input = await readJson(request, CreateGuestRequest);
  return locals.services.guests.create(requireUser(locals), params.spaceId, input);
});
