import { type ImportReport, ImportRequest } from '@preau/protocol';
import { importDirectoryCsv } from '@preau/storage';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * Imports a directory CSV file (directory admins only). The answer is the
 * report: `applied: true` with what changed, or `applied: false` with every
 * bad line; nothing is applied unless every line is good.
 */
export const POST: RequestHandler = api(async ({ locals, request }): Promise<ImportReport> => {
  const admin = requireRole(locals, 'admin');
  const { csv } = await readJson(request, ImportRequest);
  const report = await importDirectoryCsv(locals.services.database.db, csv, admin.id);
  locals.services.log.info(
    { admin: admin.id, applied: report.applied, lines: report.lines },
    'directory import',
  );
  return report;
});
