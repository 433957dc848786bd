import { z } from 'zod';
import { api } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/**
 * `GET /api/me/data`: the signed-in person's own data (records, messages,
 * documents, spaces, invitations, reports) as a zip; audited.
 */
export const GET: RequestHandler = api(async ({ locals }) => {
  const { bytes } = await locals.services.privacy.ownData(locals.user);
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="preau-mes-donnees-${new Date().toISOString().slice(0, 10)}.zip"`,
      'cache-control': 'no-store',
    },
  });
});

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Ses propres données (traces, messages, documents, espaces, invitations, signalements) en zip ; journalisé',
      en: 'One’s own data (records, messages, documents, spaces, invitations, reports) as a zip; audited',
    },
    tag: 'privacy',
    access: 'signedIn',
    raw: 'application/zip',
    response: z.string().describe('a zip file'),
  },
});
