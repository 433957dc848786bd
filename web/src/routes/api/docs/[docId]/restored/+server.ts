import { DocRestoredInput } from '@preau/protocol';
import { z } from 'zod';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Inscrit dans la trace qu’une version a été restaurée (la restauration est une mise à jour ordinaire)',
      en: 'Records in the trace that a version was restored (the restore itself is an ordinary update)',
    },
    tag: 'documents',
    access: 'spaceModerators',
    body: DocRestoredInput,
    response: z.object({ restored: z.number().int() }),
    errors: ['not_found'],
  },
});
