import { ExportRequest } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `POST /api/archive/cases/:id/exports` `{ moments? }`: builds a sealed bundle; audited. */
export const POST: RequestHandler = api(async ({ locals, request, params }) => {
  const user = requireRole(locals, 'archivist');
  const body = await readJson(request, ExportRequest);
  const { view } = await locals.services.archive.export(user, params.id, body.moments);
  return view;
});
