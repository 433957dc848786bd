import { fail, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/docs/[docId]/files/[fileId]`: an image of a document, for those who may read it. */
export const GET: RequestHandler = async ({ params, locals }) => {
  try {
    const user = requireUser(locals);
    const { mimeType, body } = await locals.services.documents.image(
      user,
      params.docId,
      params.fileId,
    );
    return new Response(body as Uint8Array<ArrayBuffer>, {
      headers: {
        'content-type': mimeType,
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
