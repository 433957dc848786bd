import { redirect } from '@sveltejs/kit';
import { pageError } from '#lib/classroom/pages.server';
import { translator } from '#lib/i18n';
import type { PageServerLoad } from './$types';

/** Who attended a session and who did not, for how long, from when to when: for the space's moderators. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    const found = await locals.services.live.attendance(
      locals.user,
      params.spaceId,
      params.sessionId,
    );
    const t = translator(locals.locale);
    return {
      ...found,
      /** Below the live section in the space's trail. */
      trail: [{ label: t('live.attendance.title', { title: found.session.title }) }],
    };
  } catch (err) {
    pageError(err);
  }
};
