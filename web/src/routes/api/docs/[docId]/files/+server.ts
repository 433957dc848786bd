import { DOC_IMAGE_TYPES, DOC_LIMITS, DocFile } from '@preau/protocol';
import { api, readBody, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/**
 * `POST /api/docs/[docId]/files`: stores an image (the request body, with
 * its type) in object storage for this document; the body is read only once
 * the caller may edit the document, and refused once past the limit (at
 * once when its declared length says so).
 */
export const POST: RequestHandler = api(async ({ params, request, locals }): Promise<DocFile> => {
  const user = requireUser(locals);
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return locals.services.documents.addImage(user, params.docId, type, () =>
    readBody(request, DOC_LIMITS.maxImageBytes, 'an image'),
  );
});

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Dépose une image pour ce document (le corps brut, avec son type) ; trop grande, refusée avant lecture',
      en: 'Stores an image for this document (the raw body, with its type); too large, refused before it is read',
    },
    tag: 'documents',
    access: 'spaceWriters',
    upload: {
      types: DOC_IMAGE_TYPES,
      what: { fr: 'les octets de l’image', en: 'the image’s bytes' },
    },
    response: DocFile,
    errors: ['not_found', 'conflict'],
  },
});
