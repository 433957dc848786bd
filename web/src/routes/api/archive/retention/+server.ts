import { RetentionRule, RetentionRuleKey } from '@preau/protocol';
import { z } from 'zod';
import { api, readJson, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les durées de conservation par défaut, par type, et les règles posées',
      en: 'Default retention by kind, and the rules set',
    },
    tag: 'archive',
    access: 'adminsDpo',
    response: z.object({
      defaults: z.record(z.string(), z.number().int()).describe('days, by kind of trace'),
      rules: z.array(RetentionRule),
    }),
    errors: ['forbidden'],
  },
  PUT: {
    summary: {
      fr: 'Pose une règle de conservation (`*` ou l’UAI d’un établissement)',
      en: 'Sets a retention rule (`*` or a school’s UAI)',
    },
    tag: 'archive',
    access: {
      fr: 'Administrateurs (403 sinon) ; journalisé.',
      en: 'Admins (403 otherwise); audited.',
    },
    body: RetentionRule,
    response: RetentionRule,
  },
  DELETE: {
    summary: {
      fr: 'Retire une règle : la suivante s’applique de nouveau',
      en: 'Removes a rule: the next one down applies again',
    },
    tag: 'archive',
    access: {
      fr: 'Administrateurs (403 sinon) ; journalisé.',
      en: 'Admins (403 otherwise); audited.',
    },
    body: RetentionRuleKey,
    response: RetentionRuleKey,
    errors: ['not_found'],
  },
});
