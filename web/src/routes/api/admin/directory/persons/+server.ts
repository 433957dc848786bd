import { type PersonsPage, PersonsQuery, parseOrThrow } from '@preau/protocol';
import { api, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** People of the directory, searched and paged (directory admins only). */
export const GET: RequestHandler = api(async ({ locals, url }): Promise<PersonsPage> => {
  const user = requireRole(locals, 'admin');
  const query = parseOrThrow(PersonsQuery, Object.fromEntries(url.searchParams));
  return locals.services.directory.persons(user, query);
});
