import { INLINE_FILE_TYPES } from '@preau/protocol';
import { z } from 'zod';
import { api, fail, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/**
 * `GET /api/spaces/[spaceId]/files/[fileId]`: the file as an attachment;
 * `?inline=1` shows an image or a PDF in the page (its type was sniffed from
 * its bytes), sandboxed, never anything else.
 */
export const GET: RequestHandler = async ({ params, url, locals }) => {
  try {
    const { file, body } = await locals.services.files.download(
      requireUser(locals),
      params.spaceId,
      params.fileId,
    );
    const inline = url.searchParams.get('inline') === '1' && isInlineType(file.mimeType);
    return new Response(body as Uint8Array<ArrayBuffer>, {
      headers: {
        'content-type': file.mimeType,
        'content-length': String(body.byteLength),
        'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${asciiName(file.name)}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'cache-control': 'private, max-age=3600',
        'x-content-type-options': 'nosniff',
        // Inline: shown sandboxed, framed by Préau's own pages only (the files page's PDF preview).
        'content-security-policy': inline
          ? "sandbox; frame-ancestors 'self'"
          : "default-src 'none'; sandbox",
        ...(inline ? { 'x-frame-options': 'SAMEORIGIN' } : {}),
      },
    });
  } catch (err) {
    return fail(err);
  }
};

/** `DELETE /api/spaces/[spaceId]/files/[fileId]`: its uploader, or who manages or moderates. */
export const DELETE: RequestHandler = api(async ({ params, locals }) => {
  await locals.services.files.delete(requireUser(locals), params.spaceId, params.fileId);
  return {};
});

function isInlineType(type: string): boolean {
  return (INLINE_FILE_TYPES as readonly string[]).includes(type);
}

/** The name for old clients: ASCII, no quotes or backslashes. */
function asciiName(name: string): string {
  return (
    name
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\]/g, '_') || 'fichier'
  );
}

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Télécharge un fichier (en pièce jointe) ; ?inline=1 montre une image ou un PDF, isolé (le corps est le fichier)',
      en: 'Downloads a file (as an attachment); ?inline=1 shows an image or a PDF, sandboxed (the body is the file)',
    },
    tag: 'content',
    access: 'spaceReaders',
    query: z.object({ inline: z.literal('1').optional() }),
    raw: 'application/octet-stream',
    response: z.string().describe('the file’s bytes'),
    errors: ['forbidden', 'not_found'],
  },
  DELETE: {
    summary: {
      fr: 'Supprime un fichier (ses octets restent pour l’archive jusqu’à l’effacement ou la fin de conservation)',
      en: 'Deletes a file (its bytes stay for the archive until erasure or retention)',
    },
    tag: 'content',
    access: {
      fr: 'Qui l’a déposé tant qu’il peut écrire, ou qui gère ou modère l’espace.',
      en: 'Its uploader while they may write, or those who manage or moderate the space.',
    },
    response: z.object({}),
    errors: ['not_found'],
  },
});
