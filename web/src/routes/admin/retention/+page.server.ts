import {
  DEFAULT_RETENTION_DAYS,
  FALLBACK_RETENTION_DAYS,
  RetentionRule,
  RetentionRuleKey,
  TraceKind,
} from '@preau/protocol';
import {
  listSchools,
  removeRetention,
  retentionDays,
  retentionRules,
  setRetention,
} from '@preau/storage';
import { fail } from '@sveltejs/kit';
import { auditor, formFields } from '#lib/archive/server';
import { requireAdminPage } from '#lib/server/admin';
import type { Actions, PageServerLoad } from './$types';

/** The fields of the form that a refusal can name. */
type Field = 'scope' | 'kind' | 'days';

/**
 * Retention per kind of trace: the documented defaults, the platform's
 * rules and each school's, with the form that sets one (the admin layout
 * already refused anyone but an admin).
 */
export const load: PageServerLoad = async ({ locals }) => {
  const db = locals.services.database.db;
  const [rules, schools] = [await retentionRules(db), await listSchools(db)];
  const kinds = TraceKind.options.map((kind) => ({
    kind,
    defaultDays: DEFAULT_RETENTION_DAYS[kind] ?? FALLBACK_RETENTION_DAYS,
    platformDays: rules.find((r) => r.scope === '*' && r.kind === kind)?.days ?? null,
    /** What applies in a school without a rule of its own. */
    days: retentionDays(rules, null, kind),
  }));
  const names = new Map(schools.map((s) => [s.uai, s.name]));
  const scopes = [...new Set(rules.filter((r) => r.scope !== '*').map((r) => r.scope))].sort();
  return {
    kinds,
    schools: schools.map((s) => ({ uai: s.uai, name: s.name })),
    overrides: scopes.map((uai) => ({
      uai,
      name: names.get(uai) ?? null,
      rules: rules
        .filter((r) => r.scope === uai)
        .sort((a, b) => a.kind.localeCompare(b.kind))
        .map((r) => ({
          kind: r.kind,
          days: r.days,
          otherwise: retentionDays(rules, null, r.kind),
        })),
    })),
  };
};

export const actions: Actions = {
  /** Sets one rule, validated with the API's own schema; audited. */
  set: async ({ locals, url, request }) => {
    // Form actions do not run the layout's load: check the role here too.
    const admin = requireAdminPage(locals, url);
    const fields = formFields(await request.formData());
    const parsed = RetentionRule.safeParse({
      scope: fields.scope,
      kind: fields.kind,
      // A number for the schema, as the API receives it; text that is not one stays invalid.
      days: fields.days === undefined ? undefined : Number(fields.days.replaceAll(/\s/g, '')),
    });
    if (!parsed.success) {
      const invalid = [...new Set(parsed.error.issues.map((i) => i.path[0] as Field))];
      return fail(400, { fields, invalid });
    }
    await setRetention(locals.services.database.db, auditor(admin, 'admin'), parsed.data);
    return { done: parsed.data };
  },
  /** Removes one rule (the next one down applies again); audited. */
  remove: async ({ locals, url, request }) => {
    const admin = requireAdminPage(locals, url);
    const key = RetentionRuleKey.safeParse(formFields(await request.formData()));
    if (!key.success) return fail(400, { removeFailed: true });
    const db = locals.services.database.db;
    if (!(await removeRetention(db, auditor(admin, 'admin'), key.data))) {
      return fail(404, { removeFailed: true });
    }
    return { removed: key.data };
  },
};
