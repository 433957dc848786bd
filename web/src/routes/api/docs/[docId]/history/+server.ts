import type { DocHistory } from '@preau/protocol';
import { historySpan } from '@preau/storage';
import { authorsOf, docAccess } from '#lib/docs/access.server';
import { api } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/docs/[docId]/history`: how many versions, from when to when, by whom. */
export const GET: RequestHandler = api(async ({ params, locals }): Promise<DocHistory> => {
  const { doc } = await docAccess(locals, params.docId);
  const span = await historySpan(locals.services.database.db, doc.id);
  return {
    doc,
    updates: span.updates,
    first: span.first?.toISOString() ?? null,
    last: span.last?.toISOString() ?? null,
    authors: await authorsOf(locals, span.authors),
  };
});
