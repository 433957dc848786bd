import { error, redirect } from '@sveltejs/kit';

/** Pages of the directory admin: signed-out visitors sign in, anyone but an admin gets 403. */
export function requireAdminPage(locals: App.Locals, url: URL) {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  if (!locals.user.roles.includes('admin'))
    error(403, { code: 'forbidden', message: 'réservé aux administrateurs de l’annuaire' });
  return locals.user;
}
