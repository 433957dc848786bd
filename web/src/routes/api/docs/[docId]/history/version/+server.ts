import { DocVersion, DocVersionQuery, parseOrThrow } from '@preau/protocol';
import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Le document tel qu’il était (`seq` ou `at`), aux couleurs de ses auteurs ; `state=1` ajoute l’état Yjs pour le restaurer (modérateurs)',
      en: 'The document as it was (`seq` or `at`), in its authors’ colours; `state=1` adds the Yjs state to restore it (moderators)',
    },
    tag: 'documents',
    access: 'spaceReaders',
    query: z.object({
      seq: z.string().optional().describe('a version number'),
      at: z.string().optional().describe('an ISO date, instead of seq'),
      state: z.literal('1').optional().describe('adds the Yjs state (those who may restore)'),
    }),
    response: DocVersion,
    errors: ['forbidden', 'not_found'],
  },
});
