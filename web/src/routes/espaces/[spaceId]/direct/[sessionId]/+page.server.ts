import { redirect } from '@sveltejs/kit';
import { pageError } from '#lib/classroom/pages.server';
import type { PageServerLoad } from './$types';

/** The live room of one session of a space, with the space's pads and boards to open beside it. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    const room = await locals.services.live.room(locals.user, params.spaceId, params.sessionId);
    return { ...room, user: { id: locals.user.id, name: locals.user.name } };
  } catch (err) {
    pageError(err);
  }
};
