import { PreauError, RetentionRule, RetentionRuleKey } from '@preau/protocol';
import { fail } from '@sveltejs/kit';
import { formFields } from '#lib/archive/server';
import { requireAdminPage } from '#lib/server/admin';
import type { Actions, PageServerLoad } from './$types';

/** The fields of the form that a refusal can name. */
type Field = 'scope' | 'kind' | 'days';

/**
 * Retention per kind of trace: the documented defaults, the platform's
 * rules and each school's, with the form that sets one (the admin layout
 * already refused anyone but an admin).
 */
export const load: PageServerLoad = async ({ locals, url }) =>
  locals.services.archive.retentionOverview(requireAdminPage(locals, url));

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
    await locals.services.archive.setRetention(admin, parsed.data);
    return { done: parsed.data };
  },
  /** Removes one rule (the next one down applies again); audited. */
  remove: async ({ locals, url, request }) => {
    const admin = requireAdminPage(locals, url);
    const key = RetentionRuleKey.safeParse(formFields(await request.formData()));
    if (!key.success) return fail(400, { removeFailed: true });
    try {
      await locals.services.archive.removeRetention(admin, key.data);
    } catch (err) {
      if (err instanceof PreauError && err.code === 'not_found')
        return fail(404, { removeFailed: true });
      throw err;
    }
    return { removed: key.data };
  },
};
