import type { MyClass } from '@preau/protocol';
import { classesOfPerson } from '@preau/storage';
import { api, requireUser } from '#lib/server/api';
import type { RequestHandler } from './$types';

/** The signed-in user's classes, with their role in each. */
export const GET: RequestHandler = api(
  async ({ locals }): Promise<MyClass[]> =>
    classesOfPerson(locals.services.database.db, requireUser(locals).id),
);
