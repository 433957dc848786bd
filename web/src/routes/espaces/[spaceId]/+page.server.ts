import { redirect } from '@sveltejs/kit';
import { pageError } from '#lib/classroom/pages.server';
import type { PageServerLoad } from './$types';

/**
 * A space's overview: its members (a class's teachers and students, homonyms
 * told apart; a project's members with their school), the live session or
 * salon open in it, and its latest documents (for those who may read it).
 */
export const load: PageServerLoad = async ({ locals, params, parent, url }) => {
  if (!locals.user) redirect(303, `/auth/login?retour=${encodeURIComponent(url.pathname)}`);
  const { space } = await parent();
  const { services } = locals;
  const user = locals.user;
  try {
    const reads = space.permissions.includes('read');
    // The space's members (from its membership), homonyms told apart.
    const [members, live, docs, groups] = await Promise.all([
      services.live.roster(user, params.spaceId),
      reads ? services.live.overview(user, params.spaceId) : null,
      reads ? services.documents.list(user, params.spaceId) : [],
      // A project's work groups that this person may see.
      space.kind === 'project' ? services.spaces.groupsOfProject(user, params.spaceId) : [],
    ]);
    return {
      // A homonym is told apart by their login, as the directory knows them.
      members: members.map(({ personId, name, role, schoolName, login }) => ({
        personId,
        name,
        role,
        schoolName,
        hint: login ?? null,
      })),
      groups: groups.map(({ id, name, role, state }) => ({ id, name, role, state })),
      open: live?.open ?? null,
      present: live?.present ?? 0,
      recent: docs
        .filter((d) => !d.archived)
        .slice(0, 5)
        .map(({ id, kind, title, updatedAt }) => ({ id, kind, title, updatedAt })),
    };
  } catch (err) {
    pageError(err);
  }
};
