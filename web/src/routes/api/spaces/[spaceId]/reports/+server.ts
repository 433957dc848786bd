import { ReportRequest } from '@preau/protocol';
import { z } from 'zod';
import { api, readJson, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `POST /api/spaces/[spaceId]/reports`: reports a message, a document or a file to the school's staff. */
export const POST: RequestHandler = api(async ({ params, request, locals }) => {
  const user = requireUser(locals);
  const body = await readJson(request, ReportRequest);
  return locals.services.reports.file(user, params.spaceId, body);
});

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Signale un message, un document ou un fichier au personnel du ou des établissements de l’espace',
      en: 'Reports a message, a document or a file to the staff of the space’s school(s)',
    },
    tag: 'content',
    access: {
      fr: 'Les membres qui peuvent signaler dans l’espace.',
      en: 'Members who may report in the space.',
    },
    body: ReportRequest,
    response: z.object({ id: z.string() }),
    errors: ['not_found', 'conflict'],
  },
});
