import { parseOrThrow, SPACE_FILE_LIMITS, SpaceFileView, UploadFileQuery } from '@preau/protocol';
import { z } from 'zod';
import { api, readBody, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/spaces/[spaceId]/files`: the space's files, newest first. */
export const GET: RequestHandler = api(
  async ({ params, locals }): Promise<SpaceFileView[]> =>
    locals.services.files.list(requireUser(locals), params.spaceId),
);

/**
 * `POST /api/spaces/[spaceId]/files?name=…`: uploads a file, the raw request
 * body (its type in `content-type`, sniffed again from the bytes), capped at
 * SPACE_FILE_LIMITS.maxBytes before it is read whole, and read only once the
 * caller may write in the space.
 */
export const POST: RequestHandler = api(async ({ params, request, url, locals }) => {
  const user = requireUser(locals);
  // The name is required: a body sent without one is not an upload.
  const { name } = parseOrThrow(UploadFileQuery, { name: url.searchParams.get('name') ?? '' });
  return locals.services.files.upload(user, params.spaceId, {
    name,
    declaredType: request.headers.get('content-type') ?? '',
    read: () => readBody(request, SPACE_FILE_LIMITS.maxBytes, 'a file'),
  });
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les fichiers partagés dans l’espace, du plus récent au plus ancien',
      en: 'Files shared in the space, newest first',
    },
    tag: 'content',
    access: 'spaceReaders',
    response: z.array(SpaceFileView),
    errors: ['forbidden', 'not_found'],
  },
  POST: {
    summary: {
      fr: 'Dépose un fichier : le corps brut, son type en content-type (revérifié sur les octets), son nom dans ?name= ; 10 Mio au plus (413)',
      en: 'Uploads a file: the raw body, its type in content-type (sniffed again from the bytes), its name in ?name=; 10 MiB at most (413)',
    },
    tag: 'content',
    access: 'spaceWriters',
    query: UploadFileQuery,
    upload: {
      types: ['*/*'],
      what: { fr: 'les octets du fichier', en: 'the file’s bytes' },
    },
    response: SpaceFileView,
    errors: ['not_found', 'conflict'],
  },
});
