import type { UnreadCounts } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** `GET /api/spaces/[spaceId]/chat/unread`: messages of the space's chat not yet read. */
export const GET: RequestHandler = api(
  async ({ params, locals }): Promise<UnreadCounts> =>
    locals.services.chat.unread(requireUser(locals), [params.spaceId]),
);
