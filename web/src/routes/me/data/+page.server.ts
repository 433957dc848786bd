import { fail } from '@sveltejs/kit';
import { codeOf, guardSignedIn } from '#lib/archive/server';
import type { Actions, PageServerLoad } from './$types';

/** The person's rights: download their data, ask for erasure, see earlier requests. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const user = guardSignedIn(locals, url);
  return { reports: await locals.services.privacy.erasureReports(user) };
};

export const actions: Actions = {
  erase: async ({ locals, url, request }) => {
    const user = guardSignedIn(locals, url);
    const form = await request.formData();
    if (form.get('confirm') !== 'oui') return fail(400, { error: 'bad_request' });
    try {
      return { report: await locals.services.privacy.erase(user) };
    } catch (err) {
      return fail(500, { error: codeOf(locals, err) });
    }
  },
};
