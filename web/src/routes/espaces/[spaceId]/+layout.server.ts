import { redirect } from '@sveltejs/kit';
import { pageError } from '#lib/classroom/pages.server';
import type { LayoutServerLoad } from './$types';

/**
 * Every page of a space: the space as the viewer sees it (kind, state, their
 * role and permissions), from the one access check. A group or project the
 * viewer may not see is a 404; a class they are not in, a 403.
 */
export const load: LayoutServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    return { space: await locals.services.spaces.get(locals.user, params.spaceId) };
  } catch (err) {
    pageError(err);
  }
};
