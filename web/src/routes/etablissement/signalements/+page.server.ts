import { PreauError } from '@preau/protocol';
import { fail, redirect } from '@sveltejs/kit';
import { pageError } from '#lib/classroom/pages.server';
import type { Actions, PageServerLoad } from './$types';

/** The schools a person is staff of (CPE, head); `?uai=` picks one. */
function schoolOf(user: App.Locals['user'], url: URL): string {
  const schools = (user?.profiles ?? []).filter((p) => p.kind === 'staff').map((p) => p.uai);
  const asked = url.searchParams.get('uai');
  const uai = asked && schools.includes(asked) ? asked : schools[0];
  if (!uai) throw new PreauError('forbidden', 'only a school’s staff read its reports');
  return uai;
}

/** The reports the staff of a school received, newest first. */
export const load: PageServerLoad = async ({ locals, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    const uai = schoolOf(locals.user, url);
    const schools = [
      ...new Set(locals.user.profiles.filter((p) => p.kind === 'staff').map((p) => p.uai)),
    ];
    return { uai, schools, reports: await locals.services.reports.inbox(locals.user, uai) };
  } catch (err) {
    pageError(err);
  }
};

export const actions: Actions = {
  /** "Marquer comme traité": the same service call as POST /api/schools/{uai}/reports/{id}/handled. */
  handled: async ({ locals, url, request }) => {
    if (!locals.user) redirect(303, '/auth/login');
    const form = await request.formData();
    const reportId = String(form.get('reportId') ?? '');
    try {
      await locals.services.reports.handled(locals.user, schoolOf(locals.user, url), reportId);
    } catch (err) {
      if (err instanceof PreauError)
        return fail(err.code === 'not_found' ? 404 : 403, { error: err.code });
      throw err;
    }
    return { handled: reportId };
  },
};
