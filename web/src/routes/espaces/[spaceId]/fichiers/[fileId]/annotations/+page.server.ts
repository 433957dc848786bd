import { pageError } from '#lib/classroom/pages.server';
import { requireUser } from '#lib/server/api';
import type { PageServerLoad } from './$types';

/** A PDF of the space with the marks drawn on it when it was presented. */
export const load: PageServerLoad = async ({ locals, params }) => {
  try {
    const user = requireUser(locals);
    return {
      annotations: await locals.services.presentations.annotations(
        user,
        params.spaceId,
        params.fileId,
      ),
    };
  } catch (err) {
    pageError(err);
  }
};
