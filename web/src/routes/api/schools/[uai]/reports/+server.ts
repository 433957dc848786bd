import { ReportView } from '@preau/protocol';
import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/schools/[uai]/reports`: the reports the school's staff received, newest first. */
export const GET: RequestHandler = api(
  async ({ params, locals }): Promise<ReportView[]> =>
    locals.services.reports.inbox(requireUser(locals), params.uai),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les signalements reçus par le personnel de l’établissement, avec le contenu signalé, du plus récent au plus ancien',
      en: 'Reports received by the school’s staff, with the reported content, newest first',
    },
    tag: 'school',
    access: 'schoolStaff',
    params: { uai: { fr: 'l’UAI de l’établissement', en: 'the school’s UAI' } },
    response: z.array(ReportView),
    errors: ['forbidden'],
  },
});
