import { type DocVersion, DocVersionQuery, PreauError, parseOrThrow } from '@preau/protocol';
import { docAccess } from '#lib/docs/access.server';
import { renderVersion } from '#lib/docs/history.server';
import { api } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * `GET /api/docs/[docId]/history/version?seq=N` (or `?at=ISO`): the document
 * as it was, rendered with its authors' colours; `&state=1` adds the Yjs
 * state, which the client needs to restore that version, and is given only
 * to those who may restore (the space's moderators).
 */
export const GET: RequestHandler = api(async ({ params, url, locals }): Promise<DocVersion> => {
  const query = parseOrThrow(
    DocVersionQuery,
    url.searchParams.has('at')
      ? { at: url.searchParams.get('at') }
      : { seq: url.searchParams.get('seq') },
  );
  const { doc, canRestore } = await docAccess(locals, params.docId);
  const withState = url.searchParams.get('state') === '1';
  if (withState && !canRestore)
    throw new PreauError('forbidden', 'restoring a version is for the space’s moderators');
  return renderVersion(locals, doc, query, withState);
});
