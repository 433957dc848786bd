import type { DocHistory } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/docs/[docId]/history`: how many versions, from when to when, by whom. */
export const GET: RequestHandler = api(
  async ({ params, locals }): Promise<DocHistory> =>
    locals.services.documents.history(requireUser(locals), params.docId),
);
