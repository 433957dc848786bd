import { AuditAction, AuditQuery, AuditRole, DEFAULT_RETENTION_DAYS } from '@preau/protocol';
import { guardPage, parisPeriod } from '#lib/archive/server';
import type { PageServerLoad } from './$types';

/**
 * The DPO's page: the audit log filtered and paged, its chain checked,
 * people, spaces and cases named; the cases; the retention rules. Each
 * reading of the log is itself audited (with its filters).
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  const user = guardPage(locals, url, 'dpo');
  const { archive } = locals.services;
  const raw = Object.fromEntries(url.searchParams);
  // People are chosen by name; without scripts the typed name is looked up here.
  const [actor, concerning] = await Promise.all([
    archive.pick(user, 'person', raw.actor, raw.actorText),
    archive.pick(user, 'person', raw.concerning, raw.concerningText),
  ]);
  const filters: Record<string, string> = { ...raw };
  delete filters.actorText;
  delete filters.concerningText;
  if (actor.id) filters.actor = actor.id;
  if (concerning.id) filters.concerning = concerning.id;
  const period = parisPeriod(filters.from, filters.to);
  const parsed = AuditQuery.safeParse({ ...filters, from: period.from, to: period.until });
  const query = parsed.success ? parsed.data : AuditQuery.parse({});
  const [log, cases, rules, chosen] = await Promise.all([
    archive.audit(user, query),
    archive.listCases(user),
    archive.retentionRules(user),
    archive.labels(
      user,
      [],
      [actor.id, concerning.id].filter((id): id is string => id !== undefined),
    ),
  ]);
  return {
    entries: log.entries,
    older: log.older,
    newer: log.newer,
    check: log.check,
    names: Object.fromEntries(log.names),
    spaces: Object.fromEntries(log.spaces),
    filters,
    error: parsed.success ? null : 'bad_request',
    actions: AuditAction.options,
    roles: AuditRole.options,
    chosenActor: actor.id ? (chosen.persons.get(actor.id) ?? null) : null,
    chosenConcerning: concerning.id ? (chosen.persons.get(concerning.id) ?? null) : null,
    pending: { actor, concerning },
    cases,
    defaults: Object.entries(DEFAULT_RETENTION_DAYS),
    rules,
  };
};
