import { fromZodError, SchoolSettings } from '@preau/protocol';
import { error, redirect } from '@sveltejs/kit';
import { requireUser } from '#lib/server/api';
import { refused } from '#lib/server/groups';
import type { Actions, PageServerLoad } from './$types';

/** The school's groups for its staff (names and members, not content) and its bounds. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  const uais = [...new Set(user.profiles.filter((p) => p.kind === 'staff').map((p) => p.uai))];
  if (uais.length === 0 && !user.roles.includes('admin'))
    error(403, { code: 'forbidden', message: 'réservé à la vie scolaire et à la direction' });
  const spaces = await locals.services.spaces.oversight(user);
  const schools = await Promise.all(
    uais.map(async (uai) => ({
      uai,
      name: spaces.find((s) => s.uai === uai)?.schoolName ?? uai,
      settings: await locals.services.spaces.settings(user, uai),
    })),
  );
  return { spaces, schools };
};

export const actions: Actions = {
  /** Sets one school's bounds on its students' work groups. */
  settings: async ({ locals, request }) => {
    const form = await request.formData();
    const parsed = SchoolSettings.safeParse({
      studentsCreateGroups: form.get('studentsCreateGroups') === 'on',
      maxGroupMembers: Number(form.get('maxGroupMembers')),
      maxGroupsPerStudent: Number(form.get('maxGroupsPerStudent')),
      studentSalons: form.get('studentSalons') === 'on',
    });
    if (!parsed.success) return refused(fromZodError(parsed.error));
    try {
      await locals.services.spaces.putSettings(
        requireUser(locals),
        String(form.get('uai') ?? ''),
        parsed.data,
      );
    } catch (err) {
      return refused(err);
    }
    return { saved: true };
  },
};
