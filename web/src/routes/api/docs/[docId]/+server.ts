import { type DocSummary, UpdateDocInput } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/docs/[docId]`: one document (those who may read its space). */
export const GET: RequestHandler = api(async ({ params, locals }): Promise<DocSummary> => {
  return (await locals.services.documents.get(requireUser(locals), params.docId)).doc;
});

/** `PATCH /api/docs/[docId]`: rename, or archive (the space's moderators or the creator). */
export const PATCH: RequestHandler = api(async ({ params, request, locals }) => {
  const user = requireUser(locals);
  const input = await readJson(request, UpdateDocInput);
  return locals.services.documents.update(user, params.docId, input);
});
