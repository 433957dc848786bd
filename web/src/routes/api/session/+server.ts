import type { SessionUser } from '@preau/protocol';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** The signed-in user (401 when signed out). */
export const GET: RequestHandler = api(
  async ({ locals }): Promise<SessionUser> => requireUser(locals),
);
