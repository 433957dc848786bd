import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => ({
  locale: locals.locale,
  user: locals.user,
  // The password-less demo sign-in was opened on purpose: every page says so.
  demoExposed: locals.services.config.signIn === 'demo-open',
  // The header's badge starts from this count; live notifications move it.
  pendingInvitations: locals.user
    ? (await locals.services.invitations.invitations(locals.user)).length
    : 0,
});
