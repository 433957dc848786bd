import { AuditEntry, AuditQuery, parseOrThrow } from '@preau/protocol';
import { z } from 'zod';
import { api, requireRole } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
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

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Une page du journal d’audit, du plus récent au plus ancien, avec la chaîne vérifiée (la lecture est journalisée)',
      en: 'A page of the audit log, newest first, with its chain checked (the reading is audited)',
    },
    tag: 'archive',
    access: 'dpo',
    query: AuditQuery,
    response: z.object({
      entries: z.array(AuditEntry),
      older: z.number().int().nullable().describe('`before` for the next (older) page'),
      newer: z.number().int().nullable().describe('`after` for the previous (newer) page'),
      check: z.object({
        entries: z.number().int(),
        firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
      }),
    }),
    errors: ['forbidden'],
  },
});
