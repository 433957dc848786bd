import { SchoolWithClasses } from '@preau/protocol';
import { z } from 'zod';
import { api } from '#lib/server/api';
import { describeRoute } from '#lib/server/apiDoc';
import type { RequestHandler } from './$types';

/** Every school with its classes (directory admins only). */
export const GET: RequestHandler = api(
  async ({ locals }): Promise<SchoolWithClasses[]> =>
    locals.services.directory.schools(locals.user),
);

export const _api = describeRoute({
  GET: {
    summary: { fr: 'Chaque établissement avec ses classes', en: 'Every school with its classes' },
    tag: 'directory',
    access: 'admins',
    response: z.array(SchoolWithClasses),
    errors: ['forbidden'],
  },
});
