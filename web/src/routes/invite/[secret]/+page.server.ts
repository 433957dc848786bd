import { PreauError } from '@preau/protocol';
import { fail, redirect } from '@sveltejs/kit';
import { setSessionCookies } from '#lib/server/session';
import type { Actions, PageServerLoad } from './$types';

/** A guest's personal link: says whether it is valid, consumes nothing (link previewers GET it). */
export const load: PageServerLoad = async ({ locals, params }) => ({
  link: await locals.services.guests.check(params.secret),
});

export const actions: Actions = {
  /** Opens the guest's session and leads to their project. */
  default: async ({ locals, params, cookies, url }) => {
    let session: Awaited<ReturnType<typeof locals.services.guests.signIn>>;
    try {
      session = await locals.services.guests.signIn(params.secret);
    } catch (err) {
      if (err instanceof PreauError)
        return fail(err.code === 'not_found' ? 404 : 410, {
          link: err.code === 'not_found' ? 'unknown' : 'expired',
        });
      throw err;
    }
    setSessionCookies(cookies, url, session);
    redirect(303, `/espaces/${session.spaceId}`);
  },
};
