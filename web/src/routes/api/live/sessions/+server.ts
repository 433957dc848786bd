import { StartSessionRequest } from '@preau/protocol';
import { liveTitle } from '#lib/classroom/liveTitle';
import { api, ok, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** The live sessions open in the signed-in person's spaces (for "join in one click"). */
export const GET: RequestHandler = api(async ({ locals }) =>
  locals.services.live.openOfMine(requireUser(locals)),
);

/**
 * Starts a live session (a class's lesson, a group's or project's salon) in
 * a space: 201 with the new one; 200 with the one already open, unless
 * `replace` names it (it ends first).
 */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireUser(locals);
  const body = await readJson(request, StartSessionRequest);
  const { session, created } = await locals.services.live.start(
    user,
    body,
    liveTitle(locals.locale),
  );
  return ok(session, created ? 201 : 200);
});
