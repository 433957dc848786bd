import { z } from 'zod';
import { api } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/archive/cases/:id/exports/:exportId`: the bundle's zip; audited as a download. */
export const GET: RequestHandler = api(async ({ locals, params }) => {
  const { bytes, name } = await locals.services.archive.download(
    locals.user,
    params.id,
    params.exportId,
  );
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    },
  });
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Télécharge le zip d’un export (journalisé comme un téléchargement)',
      en: 'Downloads an export’s zip (audited as a download)',
    },
    tag: 'archive',
    access: 'archivistsAudited',
    params: { id: { fr: 'l’identifiant de l’affaire', en: 'the case’s id' } },
    raw: 'application/zip',
    response: z.string().describe('the bundle’s zip'),
    errors: ['forbidden', 'not_found'],
  },
});
