import { PreauError, parseSpaceId } from '@preau/protocol';
import { classById, historySpan } from '@preau/storage';
import { error, redirect } from '@sveltejs/kit';
import { authorsOf, docAccess } from '#lib/docs/access.server';
import { renderVersion } from '#lib/docs/history.server';
import { STATUS } from '#lib/server/api';
import type { PageServerLoad } from './$types';

/** A document's history: its span, its authors, and its latest version rendered. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    const access = await docAccess(locals, params.docId);
    const span = await historySpan(locals.services.database.db, access.doc.id);
    const owner = parseSpaceId(access.doc.space);
    const klass =
      owner?.kind === 'class' ? await classById(locals.services.database.db, owner.ownerId) : null;
    return {
      /** For the breadcrumb: class › documents › this document › history. */
      classId: owner?.kind === 'class' ? owner.ownerId : null,
      className: klass?.name ?? null,
      doc: access.doc,
      canEdit: access.canEdit,
      canRestore: access.canRestore,
      updates: span.updates,
      // The history's first remaining version when it was rewritten (erasure, retention).
      base: span.base && {
        seq: span.base.seq,
        reason: span.base.reason,
        rewrittenAt: span.base.rewrittenAt.toISOString(),
      },
      authors: await authorsOf(locals, span.authors),
      latest: await renderVersion(locals, access.doc, { seq: span.updates }, false),
    };
  } catch (err) {
    if (err instanceof PreauError)
      error(STATUS[err.code], { code: err.code, message: err.message });
    throw err;
  }
};
