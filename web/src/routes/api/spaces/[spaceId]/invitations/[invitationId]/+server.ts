import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Withdraws a pending invitation (who invited, or a manager). */
export const DELETE: RequestHandler = api(async ({ locals, params }) => {
  await locals.services.spaces.withdraw(requireUser(locals), params.spaceId, params.invitationId);
  return { invitationId: params.invitationId };
});
