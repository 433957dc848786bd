import { PreauError } from '@preau/protocol';
import { findDocFile } from '@preau/storage';
import { docAccess } from '#lib/docs/access.server';
import { fail } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/docs/[docId]/files/[fileId]`: an image of a document, for members of its space. */
export const GET: RequestHandler = async ({ params, locals }) => {
  try {
    const { doc } = await docAccess(locals, params.docId);
    const file = await findDocFile(locals.services.database.db, doc.id, params.fileId);
    if (!file) throw new PreauError('not_found', 'no such file');
    const body = await locals.services.objects.get(file.objectKey);
    if (!body) throw new PreauError('not_found', 'no such file');
    return new Response(body as Uint8Array<ArrayBuffer>, {
      headers: {
        'content-type': file.mimeType,
        'content-length': String(body.byteLength),
        // Private to the signed-in member; immutable once stored.
        'cache-control': 'private, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'",
      },
    });
  } catch (err) {
    return fail(err);
  }
};
