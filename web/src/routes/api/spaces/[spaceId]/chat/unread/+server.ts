import { UnreadCounts } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** `GET /api/spaces/[spaceId]/chat/unread`: messages of the space's chat not yet read. */
export const GET: RequestHandler = api(
  async ({ params, locals }): Promise<UnreadCounts> =>
    locals.services.chat.unread(requireUser(locals), [params.spaceId]),
);

export const _api = describeRoute({
  GET: {
    summary: {
      fr: 'Les messages du fil de l’espace écrits par d’autres depuis la dernière lecture',
      en: 'Messages of the space’s chat written by others since one last read it',
    },
    tag: 'content',
    access: {
      fr: 'Toute personne connectée ; seul un espace qu’elle peut lire est compté (un objet vide sinon, sans rien dire de l’espace).',
      en: 'Anyone signed in; only a space they may read is counted (an empty object otherwise, saying nothing of the space).',
    },
    response: UnreadCounts,
  },
});
