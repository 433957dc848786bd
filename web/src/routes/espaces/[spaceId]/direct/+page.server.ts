import { StartSessionRequest } from '@preau/protocol';
import { error, fail, redirect } from '@sveltejs/kit';
import { liveTitle } from '#lib/classroom/liveTitle';
import { pageError } from '#lib/classroom/pages.server';
import type { Actions, PageServerLoad } from './$types';

/** A space's live sessions (a class's lessons, a group's salon): the open one, the past ones, a start button. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    const [overview, recordings] = await Promise.all([
      locals.services.live.overview(locals.user, params.spaceId),
      locals.services.recordings.overview(locals.user, params.spaceId),
    ]);
    return { ...overview, ...recordings };
  } catch (err) {
    pageError(err);
  }
};

export const actions: Actions = {
  /**
   * Starts the space's live session or salon, or rejoins the one open; with
   * `replace` naming the open one (the person confirmed), it ends first.
   */
  start: async ({ locals, params, request }) => {
    if (!locals.user) error(401, { code: 'unauthenticated', message: 'sign in first' });
    const form = await request.formData();
    const title = String(form.get('title') ?? '').trim();
    const replace = String(form.get('replace') ?? '').trim();
    const parsed = StartSessionRequest.safeParse({
      space: params.spaceId,
      ...(title ? { title } : {}),
      ...(replace ? { replace } : {}),
    });
    if (!parsed.success) return fail(400, { code: 'bad_request' });
    let sessionId: string;
    try {
      const { session } = await locals.services.live.start(
        locals.user,
        parsed.data,
        liveTitle(locals.locale),
      );
      sessionId = session.sessionId;
    } catch (err) {
      pageError(err);
    }
    redirect(303, `/espaces/${params.spaceId}/direct/${sessionId}`);
  },
};
