import { redirect } from '@sveltejs/kit';
import { pageError } from '#lib/classroom/pages.server';
import type { PageServerLoad } from './$types';

/** A document's history: its span, its authors, and its latest version rendered. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    const { grant, doc, updates, base, authors, latest } =
      await locals.services.documents.historyView(locals.user, params.docId);
    return {
      /** For the breadcrumb: the space › its documents › this document › history. */
      spaceId: grant.space.id,
      spaceName: grant.space.name,
      doc,
      canEdit: grant.canEdit,
      canRestore: grant.canRestore,
      updates,
      base,
      authors,
      latest,
    };
  } catch (err) {
    pageError(err);
  }
};
