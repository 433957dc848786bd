import type { ImportReport } from '@preau/protocol';
import { error, fail } from '@sveltejs/kit';
import { requireAdminPage } from '#lib/server/admin';
import type { Actions } from './$types';

/** The largest directory file accepted (a big lycée is well under 1 MB). */
const MAX_BYTES = 5_000_000;

export const actions: Actions = {
  /** Validates the whole file, then applies it only if every line is good. */
  default: async ({ request, locals, url }) => {
    const admin = requireAdminPage(locals, url);
    const form = await request.formData();
    const file = form.get('fichier');
    if (!(file instanceof File) || file.size === 0) return fail(400, { missing: true });
    if (file.size > MAX_BYTES) error(413, { code: 'too_large', message: 'fichier trop gros' });
    const report: ImportReport = await locals.services.directory.import(admin, await file.text());
    return report.applied ? { report } : fail(422, { report });
  },
};
