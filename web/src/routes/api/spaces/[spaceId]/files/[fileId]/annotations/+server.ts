import { FileAnnotations } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/spaces/[spaceId]/files/[fileId]/annotations`: the marks drawn on a presented PDF. */
export const GET: RequestHandler = api(
  async ({ params, locals }): Promise<FileAnnotations> =>
    locals.services.presentations.annotations(requireUser(locals), params.spaceId, params.fileId),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les annotations dessinées sur un PDF présenté en classe en direct, page par page',
      en: 'The marks drawn on a PDF presented in a live class, page by page',
    },
    tag: 'live',
    access: 'spaceReaders',
    response: FileAnnotations,
    errors: ['forbidden', 'not_found'],
  },
});
