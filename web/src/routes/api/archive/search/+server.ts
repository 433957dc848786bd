import { ArchiveSearch, parseOrThrow } from '@preau/protocol';
import { api, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/search?person=&space=&kind=&from=&to=&after=&limit=`: archivists only; audited. */
export const GET: RequestHandler = api(async ({ locals, url }) => {
  const user = requireRole(locals, 'archivist');
  const query = parseOrThrow(ArchiveSearch, Object.fromEntries(url.searchParams));
  return locals.services.archive.search(user, query);
});
