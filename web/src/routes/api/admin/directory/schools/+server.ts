import type { SchoolWithClasses } from '@preau/protocol';
import { api } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** Every school with its classes (directory admins only). */
export const GET: RequestHandler = api(
  async ({ locals }): Promise<SchoolWithClasses[]> =>
    locals.services.directory.schools(locals.user),
);
