import { DocRestoredInput } from '@preau/protocol';
import { api, readJson, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * `POST /api/docs/[docId]/restored`: records in the trace log that the user
 * restored version `seq` (the restore itself is an ordinary update they sent).
 */
export const POST: RequestHandler = api(async ({ params, request, locals }) => {
  const user = requireUser(locals);
  const input = await readJson(request, DocRestoredInput);
  return locals.services.documents.restored(user, params.docId, input.seq);
});
