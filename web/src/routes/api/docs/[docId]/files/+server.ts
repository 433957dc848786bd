import { DOC_IMAGE_TYPES, DOC_LIMITS, DocFile, PreauError } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/**
 * `POST /api/docs/[docId]/files`: stores an image (the request body, with
 * its type) in object storage for this document; a body declared larger
 * than the limit is refused before it is read.
 */
export const POST: RequestHandler = api(async ({ params, request, locals }): Promise<DocFile> => {
  const user = requireUser(locals);
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > DOC_LIMITS.maxImageBytes) throw new PreauError('too_large', 'image too large');
  const body = new Uint8Array(await request.arrayBuffer());
  return locals.services.documents.addImage(user, params.docId, type, body);
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
