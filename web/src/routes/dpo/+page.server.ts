import { DEFAULT_RETENTION_DAYS } from '@preau/protocol';
import { retentionRules } from '@preau/storage';
import { auditor, deskOf, guardPage } from '#lib/archive/server';
import type { PageServerLoad } from './$types';

/** The DPO's page: the audit log with its chain checked, the cases, the retention rules. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const user = guardPage(locals, url, 'dpo');
  const desk = deskOf(locals);
  const { entries, check, names } = await desk.audit(auditor(user, 'dpo'), 200);
  return {
    entries: entries.map((e) => ({ ...e, actorName: names.get(e.actor) ?? null })),
    check,
    cases: await desk.listCases(),
    defaults: Object.entries(DEFAULT_RETENTION_DAYS),
    rules: await retentionRules(locals.services.database.db),
  };
};
