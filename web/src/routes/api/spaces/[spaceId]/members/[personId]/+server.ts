import { MemberRoleRequest } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Changes a member's role in a work group (the owner hands over ownership with `owner`). */
export const PATCH: RequestHandler = api(async ({ locals, params, request }) => {
  const { role } = await readJson(request, MemberRoleRequest);
  await locals.services.spaces.setRole(requireUser(locals), params.spaceId, params.personId, role);
  return { personId: params.personId, role };
});

/** Removes a member; removing oneself is leaving. */
export const DELETE: RequestHandler = api(async ({ locals, params }) => {
  await locals.services.spaces.remove(requireUser(locals), params.spaceId, params.personId);
  return { personId: params.personId };
});
