import { RecordView } from '@preau/protocol';
import { api } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/archive/records/:space/:seq`: one record in full; archivists only; audited. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.archive.read(locals.user, params.space, Number(params.seq)),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Un enregistrement archivé en entier, rendu lisible',
      en: 'One archived record in full, made readable',
    },
    tag: 'archive',
    access: 'archivistsAudited',
    params: {
      space: { fr: 'l’espace de l’enregistrement', en: 'the record’s space' },
      seq: { fr: 'son numéro dans l’espace', en: 'its number in the space' },
    },
    response: RecordView,
    errors: ['forbidden', 'not_found'],
  },
});
