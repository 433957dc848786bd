import { PersonsPage, PersonsQuery, parseOrThrow } from '@preau/protocol';
import { api, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** People of the directory, searched and paged (directory admins only). */
export const GET: RequestHandler = api(async ({ locals, url }): Promise<PersonsPage> => {
  const user = requireRole(locals, 'admin');
  const query = parseOrThrow(PersonsQuery, Object.fromEntries(url.searchParams));
  return locals.services.directory.persons(user, query);
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les personnes de l’annuaire, cherchées et paginées',
      en: 'People of the directory, searched and paged',
    },
    tag: 'directory',
    access: 'admins',
    query: PersonsQuery,
    response: PersonsPage,
    errors: ['forbidden'],
  },
});
