import { ExportRequest, ExportView } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `POST /api/archive/cases/:id/exports` `{ moments? }`: builds a sealed bundle; audited. */
export const POST: RequestHandler = api(async ({ locals, request, params }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, ExportRequest);
  const { view } = await locals.services.archive.export(user, params.id, body.moments);
  return view;
});

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Construit un paquet de preuves scellé et signé (ce qui attend encore d’être archivé est archivé d’abord)',
      en: 'Builds a sealed, signed evidence bundle (what still waits to be archived is archived first)',
    },
    tag: 'archive',
    access: 'archivistsAudited',
    params: { id: { fr: 'l’identifiant de l’affaire', en: 'the case’s id' } },
    body: ExportRequest,
    response: ExportView,
    errors: ['not_found', 'conflict'],
  },
});
