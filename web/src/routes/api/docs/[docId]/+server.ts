import { type DocSummary, PreauError, UpdateDocInput } from '@preau/protocol';
import { archiveDoc, renameDoc } from '@preau/storage';
import { docAccess } from '#lib/docs/access.server';
import { api, readJson } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/docs/[docId]`: one document (members of its space). */
export const GET: RequestHandler = api(async ({ params, locals }): Promise<DocSummary> => {
  return (await docAccess(locals, params.docId)).doc;
});

/** `PATCH /api/docs/[docId]`: rename, or archive (the space's teachers or the creator). */
export const PATCH: RequestHandler = api(async ({ params, request, locals }) => {
  const input = await readJson(request, UpdateDocInput);
  const access = await docAccess(locals, params.docId, 'write');
  if (!access.canManage) throw new PreauError('forbidden', 'teachers and the creator only');
  const db = locals.services.database.db;
  return 'title' in input
    ? renameDoc(db, { docId: params.docId, title: input.title, actor: access.user.id })
    : archiveDoc(db, { docId: params.docId, actor: access.user.id });
});
