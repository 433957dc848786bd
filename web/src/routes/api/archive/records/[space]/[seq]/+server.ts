import { api } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/records/:space/:seq`: one record in full; archivists only; audited. */
export const GET: RequestHandler = api(async ({ locals, params }) =>
  locals.services.archive.read(locals.user, params.space, Number(params.seq)),
);
