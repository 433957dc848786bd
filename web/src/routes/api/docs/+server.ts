import { CreateDocInput, type DocSummary, PreauError, SpaceId } from '@preau/protocol';
import { createDoc, listDocs } from '@preau/storage';
import { spaceAccess } from '#lib/docs/access.server';
import { api, readJson } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/docs?space=…`: the pads and boards of a space (members only). */
export const GET: RequestHandler = api(async ({ url, locals }): Promise<DocSummary[]> => {
  const space = SpaceId.safeParse(url.searchParams.get('space'));
  if (!space.success) throw new PreauError('bad_request', 'space is required');
  await spaceAccess(locals, space.data);
  return listDocs(locals.services.database.db, space.data);
});

/** `POST /api/docs`: creates a pad or a board in a space (needs `write` there). */
export const POST: RequestHandler = api(async ({ request, locals }) => {
  const input = await readJson(request, CreateDocInput);
  const { user, rights } = await spaceAccess(locals, input.space);
  if (!rights.includes('write')) throw new PreauError('forbidden', 'the write right is needed');
  const doc = await createDoc(locals.services.database.db, { ...input, actor: user.id });
  return new Response(JSON.stringify({ ok: true, data: doc }), {
    status: 201,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
});
