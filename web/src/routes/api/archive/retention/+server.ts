import {
  DEFAULT_RETENTION_DAYS,
  PreauError,
  RetentionRule,
  RetentionRuleKey,
} from '@preau/protocol';
import { removeRetention, retentionRules, setRetention } from '@preau/storage';
import { auditor } from '#lib/archive/server';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/retention`: the defaults by kind and the rules set; admins and the DPO. */
export const GET: RequestHandler = api(async ({ locals }) => {
  requireRole(locals, 'admin', 'dpo');
  return {
    defaults: DEFAULT_RETENTION_DAYS,
    rules: await retentionRules(locals.services.database.db),
  };
});

/** `PUT /api/archive/retention` `{ scope, kind, days }`: sets a rule (`*` or a school's UAI); admins; audited. */
export const PUT: RequestHandler = api(async ({ locals, request }) => {
  const user = requireRole(locals, 'admin');
  const rule = await readJson(request, RetentionRule);
  await setRetention(locals.services.database.db, auditor(user, 'admin'), rule);
  return rule;
});

/** `DELETE /api/archive/retention` `{ scope, kind }`: removes a rule, the next one down applies; admins; audited. */
export const DELETE: RequestHandler = api(async ({ locals, request }) => {
  const user = requireRole(locals, 'admin');
  const key = await readJson(request, RetentionRuleKey);
  if (!(await removeRetention(locals.services.database.db, auditor(user, 'admin'), key))) {
    throw new PreauError('not_found', 'no such rule');
  }
  return key;
});
