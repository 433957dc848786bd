import { redirect } from '@sveltejs/kit';
import { pageError } from '#lib/classroom/pages.server';
import type { PageServerLoad } from './$types';

/** A pad or a board, opened live for those who may read its space. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    const access = await locals.services.documents.get(locals.user, params.docId);
    return {
      doc: access.doc,
      user: { id: locals.user.id, name: locals.user.name },
      canEdit: access.canEdit,
      /** For the breadcrumb: the space › its documents › this document. */
      spaceId: access.space.id,
      spaceName: access.space.name,
    };
  } catch (err) {
    pageError(err);
  }
};
