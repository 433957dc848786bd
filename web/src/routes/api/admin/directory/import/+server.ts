import { type ImportReport, ImportRequest, JSON_BODY_LIMITS } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * Imports a directory CSV file (directory admins only). The answer is the
 * report: `applied: true` with what changed, or `applied: false` with every
 * bad line; nothing is applied unless every line is good.
 */
export const POST: RequestHandler = api(async ({ locals, request }): Promise<ImportReport> => {
  const admin = requireRole(locals, 'admin');
  const { csv } = await readJson(request, ImportRequest, JSON_BODY_LIMITS.directoryImport);
  return locals.services.directory.import(admin, csv);
});
