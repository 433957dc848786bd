import { DirectoryMatches, DirectoryQuery, parseOrThrow } from '@preau/protocol';
import { api, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/**
 * `GET /api/archive/directory?q=&kind=space|person|any&limit=`: spaces
 * (classes, groups, projects) and people whose names hold every word
 * typed, with their schools, for the archivist's and DPO's name choosers.
 */
export const GET: RequestHandler = api(async ({ locals, url }) => {
  const user = requireRole(locals, 'archivist', 'dpo');
  const query = parseOrThrow(DirectoryQuery, Object.fromEntries(url.searchParams));
  return locals.services.archive.find(user, query);
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Espaces et personnes dont le nom contient chaque mot tapé, avec leurs établissements (pour choisir un nom)',
      en: 'Spaces and people whose names hold every word typed, with their schools (for name choosers)',
    },
    tag: 'archive',
    access: 'archivistsDpo',
    query: DirectoryQuery,
    response: DirectoryMatches,
    errors: ['forbidden'],
  },
});
