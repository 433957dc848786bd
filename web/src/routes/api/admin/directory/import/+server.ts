import { ImportReport, ImportRequest, JSON_BODY_LIMITS } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  POST: {
    summary: {
      fr: 'Importe un fichier CSV d’annuaire : validé en entier, appliqué seulement si toutes les lignes sont bonnes (voir le README)',
      en: 'Imports a directory CSV file: validated whole, applied only if every line is good (see the README)',
    },
    tag: 'directory',
    access: 'admins',
    body: ImportRequest,
    response: ImportReport,
  },
});
