import { redirect } from '@sveltejs/kit';
import { refused } from '#lib/server/groups';
import type { Actions, PageServerLoad } from './$types';

/** The signed-in person's pending invitations. */
export const load: PageServerLoad = async ({ locals, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  return { invitations: await locals.services.invitations.invitations(locals.user) };
};

/** Accepts or declines one invitation; accepting leads into the space. */
async function answer(locals: App.Locals, request: Request, accept: boolean) {
  if (!locals.user) redirect(303, '/auth/login?retour=/invitations');
  const id = String((await request.formData()).get('invitation') ?? '');
  let space: Awaited<ReturnType<typeof locals.services.invitations.answer>>;
  try {
    space = await locals.services.invitations.answer(locals.user, id, accept);
  } catch (err) {
    return refused(err);
  }
  if (space) redirect(303, `/espaces/${space.id}`);
  return { declined: true };
}

export const actions: Actions = {
  accept: ({ locals, request }) => answer(locals, request, true),
  decline: ({ locals, request }) => answer(locals, request, false),
};
