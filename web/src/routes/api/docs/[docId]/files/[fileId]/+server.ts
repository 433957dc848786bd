import { z } from 'zod';
import { fail, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Une image d’un document (ses octets, pas du JSON)',
      en: 'An image of a document (its bytes, not JSON)',
    },
    tag: 'documents',
    access: 'spaceReaders',
    raw: 'image/*',
    response: z.string().describe('the image’s bytes'),
    errors: ['forbidden', 'not_found'],
  },
});
