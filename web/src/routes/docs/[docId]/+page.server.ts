import { PreauError, parseSpaceId } from '@preau/protocol';
import { classById } from '@preau/storage';
import { error, redirect } from '@sveltejs/kit';
import { docAccess } from '#lib/docs/access.server';
import { STATUS } from '#lib/server/api';
import type { PageServerLoad } from './$types';

/** A pad or a board, opened live for members of its space. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    const access = await docAccess(locals, params.docId);
    const owner = parseSpaceId(access.doc.space);
    const klass =
      owner?.kind === 'class' ? await classById(locals.services.database.db, owner.ownerId) : null;
    return {
      doc: access.doc,
      user: { id: access.user.id, name: access.user.name },
      canEdit: access.canEdit,
      classId: owner?.kind === 'class' ? owner.ownerId : null,
      /** For the breadcrumb: class › documents › this document. */
      className: klass?.name ?? null,
    };
  } catch (err) {
    if (err instanceof PreauError)
      error(STATUS[err.code], { code: err.code, message: err.message });
    throw err;
  }
};
