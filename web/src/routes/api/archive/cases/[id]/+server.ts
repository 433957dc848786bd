import { CaseView, ExportView, HoldView } from '@preau/protocol';
import { z } from 'zod';
import { api } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/archive/cases/:id`: the case with its holds and exports; archivists only. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.archive.caseFile(locals.user, params.id),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Une affaire avec ses gels et ses exports',
      en: 'A case with its holds and exports',
    },
    tag: 'archive',
    access: 'archivists',
    params: { id: { fr: 'l’identifiant de l’affaire', en: 'the case’s id' } },
    response: z.object({ case: CaseView, holds: z.array(HoldView), exports: z.array(ExportView) }),
    errors: ['forbidden', 'not_found'],
  },
});
