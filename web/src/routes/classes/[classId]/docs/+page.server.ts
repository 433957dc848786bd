import { classSpaceId, DocKind, DocTitle, PreauError } from '@preau/protocol';
import { archiveDoc, createDoc, listDocs, renameDoc } from '@preau/storage';
import { fail, redirect } from '@sveltejs/kit';
import { docAccess } from '#lib/docs/access.server';
import { loadClassAccess } from '#lib/server/classes';
import type { Actions, PageServerLoad } from './$types';

/** A class's pads and boards, with what the viewer may do to each. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  const { klass, space, rights, user } = await loadClassAccess(locals, url, params.classId);
  const docs = rights.includes('read') ? await listDocs(locals.services.database.db, space) : [];
  const moderator = rights.includes('moderate');
  return {
    klass,
    space,
    canCreate: rights.includes('write'),
    docs: docs.map((doc) => ({
      ...doc,
      canManage: rights.includes('write') && (moderator || doc.createdBy === user.id),
    })),
  };
};

/** Turns a refusal into the form's error code (the page shows it in the user's language). */
function refusal(err: unknown) {
  if (err instanceof PreauError)
    return fail(err.code === 'forbidden' ? 403 : 400, { error: err.code });
  throw err;
}

/** Checks that a document belongs to this class before acting on it. */
async function classDoc(locals: App.Locals, classId: string, docId: string) {
  const access = await docAccess(locals, docId, 'write');
  if (access.doc.space !== classSpaceId(classId))
    throw new PreauError('not_found', 'not a document of this class');
  if (!access.canManage) throw new PreauError('forbidden', 'teachers and the creator only');
  return access;
}

export const actions: Actions = {
  /** Creates a pad or a board and opens it. */
  create: async ({ locals, params, request, url }) => {
    const form = await request.formData();
    const kind = DocKind.safeParse(form.get('kind'));
    const title = DocTitle.safeParse(form.get('title'));
    if (!kind.success || !title.success) return fail(400, { error: 'title' });
    const { space, rights, user } = await loadClassAccess(locals, url, params.classId);
    if (!rights.includes('write')) return fail(403, { error: 'forbidden' });
    const doc = await createDoc(locals.services.database.db, {
      space,
      kind: kind.data,
      title: title.data,
      actor: user.id,
    });
    redirect(303, `/docs/${doc.id}`);
  },
  /** Renames a document. */
  rename: async ({ locals, params, request }) => {
    const form = await request.formData();
    const title = DocTitle.safeParse(form.get('title'));
    if (!title.success) return fail(400, { error: 'title' });
    try {
      const access = await classDoc(locals, params.classId, String(form.get('doc') ?? ''));
      await renameDoc(locals.services.database.db, {
        docId: access.doc.id,
        title: title.data,
        actor: access.user.id,
      });
      return { done: 'rename' };
    } catch (err) {
      return refusal(err);
    }
  },
  /** Archives a document (read-only from then on, history kept). */
  archive: async ({ locals, params, request }) => {
    const form = await request.formData();
    try {
      const access = await classDoc(locals, params.classId, String(form.get('doc') ?? ''));
      await archiveDoc(locals.services.database.db, {
        docId: access.doc.id,
        actor: access.user.id,
      });
      return { done: 'archive' };
    } catch (err) {
      return refusal(err);
    }
  },
};
