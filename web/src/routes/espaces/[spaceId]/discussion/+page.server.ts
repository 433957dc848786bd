import { pageError } from '#lib/classroom/pages.server';
import { requireUser } from '#lib/server/api';
import type { PageServerLoad } from './$types';

/** The space's chat: its members (for mentions) and what the person has not read yet. */
export const load: PageServerLoad = async ({ locals, params }) => {
  try {
    const user = requireUser(locals);
    const [members, unread] = await Promise.all([
      locals.services.spaces.members(user, params.spaceId),
      locals.services.chat.unread(user, [params.spaceId]),
    ]);
    return {
      me: { id: user.id, name: user.name },
      members: members.map((m) => ({ personId: m.personId, displayName: m.displayName })),
      unread: unread[params.spaceId] ?? 0,
    };
  } catch (err) {
    pageError(err);
  }
};
