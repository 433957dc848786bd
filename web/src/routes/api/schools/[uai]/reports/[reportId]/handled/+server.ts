import { z } from 'zod';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `POST /api/schools/[uai]/reports/[reportId]/handled`: staff mark a report handled. */
export const POST: RequestHandler = api(async ({ params, locals }) => {
  await locals.services.reports.handled(requireUser(locals), params.uai, params.reportId);
  return {};
});

export const _api = describeRoute({
  POST: {
    summary: { fr: 'Marque un signalement comme traité', en: 'Marks a report handled' },
    tag: 'school',
    access: 'schoolStaff',
    params: { uai: { fr: 'l’UAI de l’établissement', en: 'the school’s UAI' } },
    response: z.object({}),
    errors: ['not_found'],
  },
});
