import { HoldView, PlaceHold } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `POST /api/archive/cases/:id/holds`: places a legal hold; audited. */
export const POST: RequestHandler = api(async ({ locals, request, params }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, PlaceHold);
  return locals.services.archive.placeHold(user, params.id, body);
});

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Place un gel judiciaire (personne, espace, période)',
      en: 'Places a legal hold (person, space, period)',
    },
    tag: 'archive',
    access: 'archivistsAudited',
    params: { id: { fr: 'l’identifiant de l’affaire', en: 'the case’s id' } },
    body: PlaceHold,
    response: HoldView,
    errors: ['not_found', 'conflict'],
  },
});
