import { api } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/cases/:id`: the case with its holds and exports; archivists only. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.archive.caseFile(locals.user, params.id),
);
