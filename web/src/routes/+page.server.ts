import type { PageServerLoad } from './$types';

/** The home page: for a signed-in person, their spaces, open sessions and invitations. */
export const load: PageServerLoad = async ({ locals }) => {
  const user = locals.user;
  if (!user) return { home: null };
  const view = await locals.services.home.view(user);
  return { home: { ...view, roles: user.roles } };
};
