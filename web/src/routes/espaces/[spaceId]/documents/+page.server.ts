import { DocKind, DocTitle, PreauError } from '@preau/protocol';
import { fail, redirect } from '@sveltejs/kit';
import { pageError } from '#lib/classroom/pages.server';
import type { Actions, PageServerLoad } from './$types';

/** A space's pads and boards, with what the viewer may do to each. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  try {
    return await locals.services.documents.ofSpace(locals.user, params.spaceId);
  } catch (err) {
    pageError(err);
  }
};

/** Turns a refusal into the form's error code (the page shows it in the user's language). */
function refusal(err: unknown) {
  if (err instanceof PreauError)
    return fail(err.code === 'forbidden' ? 403 : 400, { error: err.code });
  throw err;
}

export const actions: Actions = {
  /** Creates a pad or a board and opens it. */
  create: async ({ locals, params, request }) => {
    if (!locals.user) return fail(401, { error: 'unauthenticated' });
    const form = await request.formData();
    const kind = DocKind.safeParse(form.get('kind'));
    const title = DocTitle.safeParse(form.get('title'));
    if (!kind.success || !title.success) return fail(400, { error: 'title' });
    let docId: string;
    try {
      const doc = await locals.services.documents.create(locals.user, {
        space: params.spaceId,
        kind: kind.data,
        title: title.data,
      });
      docId = doc.id;
    } catch (err) {
      return refusal(err);
    }
    redirect(303, `/docs/${docId}`);
  },
  /** Renames a document. */
  rename: async ({ locals, params, request }) => {
    if (!locals.user) return fail(401, { error: 'unauthenticated' });
    const form = await request.formData();
    const title = DocTitle.safeParse(form.get('title'));
    if (!title.success) return fail(400, { error: 'title' });
    try {
      const docId = String(form.get('doc') ?? '');
      await locals.services.documents.update(
        locals.user,
        docId,
        { title: title.data },
        params.spaceId,
      );
      return { done: 'rename' };
    } catch (err) {
      return refusal(err);
    }
  },
  /** Archives a document (read-only from then on, history kept). */
  archive: async ({ locals, params, request }) => {
    if (!locals.user) return fail(401, { error: 'unauthenticated' });
    const form = await request.formData();
    try {
      const docId = String(form.get('doc') ?? '');
      await locals.services.documents.update(
        locals.user,
        docId,
        { archived: true },
        params.spaceId,
      );
      return { done: 'archive' };
    } catch (err) {
      return refusal(err);
    }
  },
};
