import { CaseView, OpenCase } from '@preau/protocol';
import { z } from 'zod';
import { api, readJson, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/archive/cases`: every case; archivists only. */
export const GET: RequestHandler = api(async ({ locals }) =>
  locals.services.archive.listCases(requireRole(locals, 'archivist')),
);

/** `POST /api/archive/cases`: opens a case; audited. */
export const POST: RequestHandler = api(async ({ locals, request }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, OpenCase);
  return locals.services.archive.openCase(user, body);
});

export const _api = describeRoute({
  GET: {
    summary: { fr: 'Toutes les affaires', en: 'Every case' },
    tag: 'archive',
    access: 'archivists',
    response: z.array(CaseView),
    errors: ['forbidden'],
  },
  POST: {
    summary: {
      fr: 'Ouvre une affaire (réquisition, demande d’accès…)',
      en: 'Opens a case (a legal request, an access request…)',
    },
    tag: 'archive',
    access: 'archivistsAudited',
    body: OpenCase,
    response: CaseView,
  },
});
