import { AuditQuery, parseOrThrow } from '@preau/protocol';
import { api, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * `GET /api/archive/audit?action=&role=&actor=&concerning=&caseId=&from=&to=&before=&after=&limit=`:
 * a page of the audit log, newest first, with the chain checked; DPO only; audited.
 */
export const GET: RequestHandler = api(async ({ locals, url }) => {
  const user = requireRole(locals, 'dpo');
  const query = parseOrThrow(AuditQuery, Object.fromEntries(url.searchParams));
  const { entries, older, newer, check } = await locals.services.archive.audit(user, query);
  return { entries, older, newer, check };
});
