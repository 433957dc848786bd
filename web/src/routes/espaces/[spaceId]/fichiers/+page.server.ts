import { pageError } from '#lib/classroom/pages.server';
import { requireUser } from '#lib/server/api';
import type { PageServerLoad } from './$types';

/** The files shared in the space, newest first. */
export const load: PageServerLoad = async ({ locals, params }) => {
  try {
    const user = requireUser(locals);
    return { files: await locals.services.files.list(user, params.spaceId) };
  } catch (err) {
    pageError(err);
  }
};
