import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
  locale: locals.locale,
  user: locals.user,
  // The password-less demo sign-in was opened on purpose: every page says so.
  demoExposed: locals.services.config.signIn === 'demo-open',
});
