import { RetentionRule, RetentionRuleKey } from '@preau/protocol';
import { api, readJson, requireRole } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/archive/retention`: the defaults by kind and the rules set; admins and the DPO. */
export const GET: RequestHandler = api(async ({ locals }) =>
  locals.services.archive.retention(locals.user),
);

/** `PUT /api/archive/retention` `{ scope, kind, days }`: sets a rule (`*` or a school's UAI); admins; audited. */
export const PUT: RequestHandler = api(async ({ locals, request }) => {
  const user = requireRole(locals, 'admin');
  return locals.services.archive.setRetention(user, await readJson(request, RetentionRule));
});

/** `DELETE /api/archive/retention` `{ scope, kind }`: removes a rule, the next one down applies; admins; audited. */
export const DELETE: RequestHandler = api(async ({ locals, request }) => {
  const user = requireRole(locals, 'admin');
  return locals.services.archive.removeRetention(user, await readJson(request, RetentionRuleKey));
});
