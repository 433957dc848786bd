import { DocSummary, UpdateDocInput } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  GET: {
    summary: { fr: 'Un document ou un tableau', en: 'One pad or board' },
    tag: 'documents',
    access: 'spaceReaders',
    response: DocSummary,
    errors: ['forbidden', 'not_found'],
  },
  PATCH: {
    summary: { fr: 'Renomme ou archive un document', en: 'Renames or archives a document' },
    tag: 'documents',
    access: {
      fr: 'Qui modère son espace, ou qui l’a créé tant qu’il peut y écrire.',
      en: 'Those who moderate its space, or its creator while they may write there.',
    },
    body: UpdateDocInput,
    response: DocSummary,
    errors: ['not_found', 'conflict'],
  },
});
