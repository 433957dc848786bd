import { auditor, deskOf } from '#lib/archive/server';
import { api, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/audit?limit=`: the audit log, newest first, with the chain checked; DPO only; audited. */
export const GET: RequestHandler = api(async ({ locals, url }) => {
  const user = requireRole(locals, 'dpo');
  const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 200, 1), 2000);
  const { entries, check } = await deskOf(locals).audit(auditor(user, 'dpo'), limit);
  return { entries, check };
});
