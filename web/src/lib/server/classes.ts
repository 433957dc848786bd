import type { ClassSummary, Right, SessionUser } from '@preau/protocol';
import { classSpaceId } from '@preau/protocol';
import { classById } from '@preau/storage';
import { error, redirect } from '@sveltejs/kit';

/** A class as a page sees it: the class, its space, and the viewer's rights in it. */
export interface ClassAccess {
  klass: ClassSummary;
  space: string;
  rights: Right[];
  user: SessionUser;
}

/**
 * Loads a class for a page and checks who may see it: its members, the
 * school's staff (CPE, head) and directory admins; others get 403, an
 * unknown class 404, a signed-out visitor the sign-in page.
 */
export async function loadClassAccess(
  locals: App.Locals,
  url: URL,
  classId: string,
): Promise<ClassAccess> {
  const user = locals.user;
  if (!user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  const db = locals.services.database.db;
  const klass = await classById(db, classId);
  if (!klass) error(404, { code: 'not_found', message: 'classe inconnue' });
  const space = classSpaceId(klass.id);
  const rights = await locals.services.access.rights(user, space);
  const staff = user.profiles.some((p) => p.uai === klass.uai && p.kind === 'staff');
  if (rights.length === 0 && !staff && !user.roles.includes('admin'))
    error(403, { code: 'forbidden', message: 'vous n’êtes pas membre de cette classe' });
  return { klass, space, rights, user };
}
