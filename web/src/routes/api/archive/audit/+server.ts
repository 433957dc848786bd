import { AuditQuery, parseOrThrow } from '@preau/protocol';
import { auditor, deskOf } from '#lib/archive/server';
import { api, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/**
 * `GET /api/archive/audit?action=&role=&actor=&concerning=&caseId=&from=&to=&before=&after=&limit=`:
 * a page of the audit log, newest first, with the chain checked; DPO only; audited.
 */
export const GET: RequestHandler = api(async ({ locals, url }) => {
  const user = requireRole(locals, 'dpo');
  const query = parseOrThrow(AuditQuery, Object.fromEntries(url.searchParams));
  const { entries, older, newer, check } = await deskOf(locals).audit(auditor(user, 'dpo'), query);
  return { entries, older, newer, check };
});
