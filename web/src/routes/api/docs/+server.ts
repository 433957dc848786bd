import { CreateDocInput, type DocSummary, PreauError, SpaceId } from '@preau/protocol';
import { api, ok, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/docs?space=…`: the pads and boards of a space (those who may read it). */
export const GET: RequestHandler = api(async ({ url, locals }): Promise<DocSummary[]> => {
  const space = SpaceId.safeParse(url.searchParams.get('space'));
  if (!space.success) throw new PreauError('bad_request', 'space is required');
  return locals.services.documents.list(requireUser(locals), space.data);
});

/** `POST /api/docs`: creates a pad or a board in a space (needs `write` there). */
export const POST: RequestHandler = api(async ({ request, locals }) => {
  const user = requireUser(locals);
  const input = await readJson(request, CreateDocInput);
  return ok(await locals.services.documents.create(user, input), 201);
});
