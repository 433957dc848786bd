import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** The signed-in person's pending invitations. */
export const GET: RequestHandler = api(async ({ locals }) =>
  locals.services.spaces.invitations(requireUser(locals)),
);
