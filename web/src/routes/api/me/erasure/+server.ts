import { ErasureReport, ErasureRequest } from '@preau/protocol';
import { z } from 'zod';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/me/erasure`: the signed-in person's erasure reports. */
export const GET: RequestHandler = api(async ({ locals }) =>
  locals.services.privacy.erasureReports(locals.user),
);

/** `POST /api/me/erasure` `{ confirm: true }`: erases the person outside legal holds; audited. */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireUser(locals);
  await readJson(request, ErasureRequest);
  return locals.services.privacy.erase(user);
});

export const _api = describeRoute({
  GET: {
    summary: { fr: 'Ses rapports d’effacement', en: 'One’s erasure reports' },
    tag: 'privacy',
    access: 'signedIn',
    response: z.array(ErasureReport),
  },
  POST: {
    summary: {
      fr: 'Efface la personne connectée, hors gels judiciaires (`{ confirm: true }`) ; journalisé',
      en: 'Erases the signed-in person outside legal holds (`{ confirm: true }`); audited',
    },
    tag: 'privacy',
    access: 'signedIn',
    body: ErasureRequest,
    response: ErasureReport,
  },
});
