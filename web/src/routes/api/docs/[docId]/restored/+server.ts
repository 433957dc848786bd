import { DocRestoredInput, PreauError } from '@preau/protocol';
import { recordDocRestored } from '@preau/storage';
import { docAccess } from '#lib/docs/access.server';
import { api, readJson } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * `POST /api/docs/[docId]/restored`: records in the trace log that the user
 * restored version `seq` (the restore itself is an ordinary update they sent).
 */
export const POST: RequestHandler = api(async ({ params, request, locals }) => {
  const input = await readJson(request, DocRestoredInput);
  const { doc, user, canEdit, canRestore } = await docAccess(locals, params.docId, 'write');
  if (!canEdit) throw new PreauError('forbidden', 'the document is archived');
  if (!canRestore)
    throw new PreauError('forbidden', 'restoring a version is for the space’s moderators');
  await recordDocRestored(locals.services.database.db, {
    docId: doc.id,
    space: doc.space,
    seq: input.seq,
    actor: user.id,
  });
  return { restored: input.seq };
});
