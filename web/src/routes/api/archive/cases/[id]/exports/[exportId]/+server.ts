import { api } from '#lib/server/api';
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
