import { DOC_IMAGE_TYPES, DOC_LIMITS, type DocFile, PreauError } from '@preau/protocol';
import { addDocFile, docFileKey } from '@preau/storage';
import { docAccess } from '#lib/docs/access.server';
import { api } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * `POST /api/docs/[docId]/files`: stores an image (the request body, with
 * its type) in object storage for this document; pads and boards then refer
 * to it by URL, never embedding the bytes in the Yjs document.
 */
export const POST: RequestHandler = api(async ({ params, request, locals }): Promise<DocFile> => {
  const { doc, user, canEdit } = await docAccess(locals, params.docId, 'write');
  if (!canEdit) throw new PreauError('forbidden', 'the document is archived');
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(DOC_IMAGE_TYPES as readonly string[]).includes(type)) {
    throw new PreauError('bad_request', `images only (${DOC_IMAGE_TYPES.join(', ')})`);
  }
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > DOC_LIMITS.maxImageBytes) throw new PreauError('too_large', 'image too large');
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.byteLength === 0) throw new PreauError('bad_request', 'empty image');
  if (body.byteLength > DOC_LIMITS.maxImageBytes)
    throw new PreauError('too_large', 'image too large');
  if (!looksLike(type, body))
    throw new PreauError('bad_request', 'the bytes are not that image type');
  const { db } = locals.services.database;
  const id = `f${crypto.randomUUID().replaceAll('-', '')}`;
  await locals.services.objects.put(docFileKey(doc.id, id), body, type);
  await addDocFile(db, {
    id,
    docId: doc.id,
    mimeType: type,
    size: body.byteLength,
    uploadedBy: user.id,
  });
  return { id, url: `/api/docs/${doc.id}/files/${id}`, mimeType: type, size: body.byteLength };
});

/** Checks the file's magic bytes, so a script cannot be served back as an image. */
function looksLike(type: string, b: Uint8Array): boolean {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  switch (type) {
    case 'image/png':
      return starts(0x89, 0x50, 0x4e, 0x47);
    case 'image/jpeg':
      return starts(0xff, 0xd8, 0xff);
    case 'image/gif':
      return starts(0x47, 0x49, 0x46, 0x38);
    case 'image/webp':
      return starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45;
    default:
      return false;
  }
}
