import { DocHistory } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/docs/[docId]/history`: how many versions, from when to when, by whom. */
export const GET: RequestHandler = api(
  async ({ params, locals }): Promise<DocHistory> =>
    locals.services.documents.history(requireUser(locals), params.docId),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'L’historique d’un document : combien de versions, de quand à quand, par qui',
      en: 'A document’s history: how many versions, from when to when, by whom',
    },
    tag: 'documents',
    access: 'spaceReaders',
    response: DocHistory,
    errors: ['forbidden', 'not_found'],
  },
});
