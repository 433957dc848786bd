import {
  authorColor,
  type DocAuthor,
  type DocSummary,
  PreauError,
  type Right,
  type SessionUser,
} from '@preau/protocol';
import { displayName, docSummary } from '@preau/storage';
import { requireUser } from '#lib/server/api';

/** A document as a request sees it: the document, the user, their rights in its space. */
export interface DocAccess {
  doc: DocSummary;
  user: SessionUser;
  rights: Right[];
  /** May change the content now (has `write` and the document is not archived). */
  canEdit: boolean;
  /** May rename and archive: a teacher of the space or the document's creator. */
  canManage: boolean;
  /**
   * May restore a past version, undoing everyone's work since in one act:
   * those who moderate the space (a class's teachers, a group's owners), on
   * a document that is not archived. Others read the history only.
   */
  canRestore: boolean;
}

/**
 * Loads a document and checks that the signed-in user belongs to its space
 * (rights from the directory). `need: 'write'` also requires the right to
 * write; the caller decides what archived means for its act.
 */
export async function docAccess(
  locals: App.Locals,
  docId: string,
  need: Right = 'read',
): Promise<DocAccess> {
  const user = requireUser(locals);
  const db = locals.services.database.db;
  const doc = await docSummary(db, docId);
  if (!doc) throw new PreauError('not_found', 'no such document');
  const rights = await locals.services.access.rights(user, doc.space);
  if (!rights.includes('read')) throw new PreauError('forbidden', 'not a member of this space');
  if (!rights.includes(need)) throw new PreauError('forbidden', `the ${need} right is needed`);
  return {
    doc,
    user,
    rights,
    canEdit: rights.includes('write') && !doc.archived,
    canManage: rights.includes('moderate') || doc.createdBy === user.id,
    canRestore: rights.includes('moderate') && rights.includes('write') && !doc.archived,
  };
}

/** The signed-in user's rights in a space; none is `forbidden`. */
export async function spaceAccess(
  locals: App.Locals,
  space: string,
): Promise<{ user: SessionUser; rights: Right[] }> {
  const user = requireUser(locals);
  const rights = await locals.services.access.rights(user, space);
  if (!rights.includes('read')) throw new PreauError('forbidden', 'not a member of this space');
  return { user, rights };
}

/** Authors with their names resolved now (never stored with the history) and their colours. */
export async function authorsOf(locals: App.Locals, ids: readonly string[]): Promise<DocAuthor[]> {
  if (ids.length === 0) return [];
  const rows = await locals.services.database.db
    .selectFrom('person')
    .select(['id', 'given_name', 'family_name'])
    .where('id', 'in', [...ids])
    .execute();
  const names = new Map(rows.map((r) => [r.id, displayName(r)]));
  return ids.map((id) => ({ id, name: names.get(id) ?? id, color: authorColor(id) }));
}
