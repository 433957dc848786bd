import { ArchiveSearch, parseOrThrow, RecordView } from '@preau/protocol';
import { z } from 'zod';
import { api, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/archive/search?person=&space=&kind=&from=&to=&after=&limit=`: archivists only; audited. */
export const GET: RequestHandler = api(async ({ locals, url }) => {
  const user = requireRole(locals, 'archivist');
  const query = parseOrThrow(ArchiveSearch, Object.fromEntries(url.searchParams));
  return locals.services.archive.search(user, query);
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Cherche dans l’archive par personne, espace, type et période ; résultats lisibles, paginés',
      en: 'Searches the archive by person, space, kind and period; readable results, paged',
    },
    tag: 'archive',
    access: 'archivistsAudited',
    query: ArchiveSearch,
    response: z.object({
      records: z.array(RecordView),
      next: z.string().nullable().describe('`after` for the next page, or null'),
      pending: z
        .number()
        .int()
        .nonnegative()
        .describe(
          'acts matching the search recorded but still waiting to be archived (not in records)',
        ),
    }),
    errors: ['forbidden'],
  },
});
