import { type DocVersion, DocVersionQuery, parseOrThrow } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * `GET /api/docs/[docId]/history/version?seq=N` (or `?at=ISO`): the document
 * as it was, rendered with its authors' colours; `&state=1` adds the Yjs
 * state, which the client needs to restore that version, and is given only
 * to those who may restore (the space's moderators).
 */
export const GET: RequestHandler = api(async ({ params, url, locals }): Promise<DocVersion> => {
  const user = requireUser(locals);
  const query = parseOrThrow(
    DocVersionQuery,
    url.searchParams.has('at')
      ? { at: url.searchParams.get('at') }
      : { seq: url.searchParams.get('seq') },
  );
  const withState = url.searchParams.get('state') === '1';
  return locals.services.documents.version(user, params.docId, query, withState);
});
